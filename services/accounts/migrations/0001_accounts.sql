-- The people who run the business, their sessions and API tokens, and failed logins.
-- Secrets are never stored: passwords as argon2id hashes, tokens as SHA-256 digests.

CREATE TABLE users (
    id bigserial PRIMARY KEY,
    -- Lower-case, so the unique constraint is case-insensitive.
    email text NOT NULL UNIQUE CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    phone text NOT NULL DEFAULT '' CHECK (phone = '' OR phone ~ '^\+[1-9][0-9]{7,14}$'),
    role text NOT NULL CHECK (role IN ('owner', 'staff', 'viewer')),
    active boolean NOT NULL DEFAULT true,
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);

CREATE TABLE sessions (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    client text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Slides with use (idle limit), never past the absolute limit.
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE api_tokens (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    token_hash bytea NOT NULL UNIQUE,
    prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- One row per failed (or in-flight) login attempt and scope; rows older than the window are pruned.
CREATE TABLE login_attempts (
    id bigserial PRIMARY KEY,
    scope text NOT NULL CHECK (scope IN ('email', 'client')),
    key text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_key ON login_attempts (scope, key, at);
