-- Partner clients (OAuth2 client credentials) and revoked tokens.

-- A partner system's credentials: bound to one role, one organization and the scopes it may ask
-- for. Only a hash of the secret is kept (argon2, PHC string).
CREATE TABLE api_client (
    id               uuid PRIMARY KEY,
    client_id        text NOT NULL CHECK (client_id ~ '^[a-z0-9][a-z0-9-]{2,63}$'),
    name             text NOT NULL CHECK (gloact_is_line(name, 300)),
    role             text NOT NULL CHECK (role IN ('unodc', 'iom', 'eu', 'government')),
    organization_id  uuid NOT NULL REFERENCES organization (id),
    scopes           text[] NOT NULL DEFAULT '{}',
    secret_hash      text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    disabled_at      timestamptz,
    CONSTRAINT api_client_client_id_key UNIQUE (client_id)
);

-- Tokens revoked before they expire, by `jti`. Every replica checks this table on every request,
-- so a revocation holds everywhere at once; rows can go once the token has expired.
CREATE TABLE revoked_token (
    jti         text PRIMARY KEY CHECK (char_length(jti) BETWEEN 1 AND 200),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz NOT NULL DEFAULT now(),
    revoked_by  text NOT NULL,
    reason      text
);
CREATE INDEX revoked_token_expires_idx ON revoked_token (expires_at);

-- A subject whose tokens issued before `not_before` are all revoked: a disabled client's, whose
-- token ids nobody may have kept.
CREATE TABLE revoked_subject (
    subject     text PRIMARY KEY,
    not_before  timestamptz NOT NULL,
    revoked_at  timestamptz NOT NULL DEFAULT now()
);
