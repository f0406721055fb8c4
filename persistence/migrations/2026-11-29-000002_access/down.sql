DROP TABLE revoked_subject;
DROP TABLE revoked_token;
DROP TABLE api_client;
