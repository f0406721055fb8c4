DROP TABLE field_report;
