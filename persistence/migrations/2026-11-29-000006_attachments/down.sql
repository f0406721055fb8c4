DROP TABLE field_report_attachment;
