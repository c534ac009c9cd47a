-- Two-factor sign-in (TOTP, RFC 6238) with single-use recovery codes, the pending state
-- between a correct password and the second step, and what the sessions page shows.

-- One authenticator per user. enabled_at is NULL while enrolment awaits its confirming
-- code. last_step is the last 30-second step accepted, so a code is never accepted twice.
CREATE TABLE user_totp (
  user_id    text PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  secret     text NOT NULL,                -- base32 shared secret
  enabled_at timestamptz,
  last_step  bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recovery_codes (
  id         text PRIMARY KEY,
  user_id    text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  code_hash  text NOT NULL,                -- sha-256 of the normalized code
  used_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id);

-- A password accepted, the second step still to come. Not a session: it grants nothing.
CREATE TABLE login_challenges (
  id         text PRIMARY KEY,             -- sha-256 of the cookie value
  user_id    text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  next       text NOT NULL DEFAULT '/',
  ip         text NOT NULL DEFAULT '',
  user_agent text NOT NULL DEFAULT '',
  attempts   integer NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_challenges_user_idx ON login_challenges (user_id);

-- How a web session was signed in, and the address it was last used from.
ALTER TABLE web_sessions ADD COLUMN auth_method text NOT NULL DEFAULT 'password';
ALTER TABLE web_sessions ADD COLUMN last_ip text NOT NULL DEFAULT '';

-- The per-user security log reads the audit entries about the account (and, through the
-- existing actor index, those made by the user).
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, id DESC);
