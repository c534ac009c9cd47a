-- Device authorizations (OAuth 2.0 Device Authorization Grant, RFC 8628): a CLI asks for a
-- code pair, a signed-in user approves the short user code in the browser, and the CLI
-- exchanges its device code (stored as a sha-256 hash, like tokens) for a personal access
-- token exactly once.
CREATE TABLE device_authorizations (
  id               text PRIMARY KEY,
  device_code_hash text NOT NULL UNIQUE,
  user_code        text NOT NULL UNIQUE,         -- normalized: 8 letters, no dash
  client_name      text NOT NULL,
  scopes           text[] NOT NULL,              -- as requested by the client
  granted_scopes   text[],                       -- set on approval
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'approved', 'denied', 'used')),
  user_id          text REFERENCES accounts (id) ON DELETE CASCADE,
  interval_seconds integer NOT NULL DEFAULT 5,
  expires_at       timestamptz NOT NULL,
  last_polled_at   timestamptz,
  decided_at       timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_authorizations_expires_idx ON device_authorizations (expires_at);
