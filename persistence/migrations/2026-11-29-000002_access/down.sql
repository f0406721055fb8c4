DROP TABLE revoked_token;
DROP TABLE api_client;
