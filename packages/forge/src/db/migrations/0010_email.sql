-- Email: when the account's current address was verified (NULL: not yet), and the
-- single-use tokens mailed for address verification and password reset, stored hashed.
ALTER TABLE accounts ADD COLUMN email_verified_at timestamptz;

CREATE TABLE email_tokens (
  id         text PRIMARY KEY,              -- sha-256 of the token sent in the link
  user_id    text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  purpose    text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
  email      text NOT NULL,                 -- the address the link was sent to
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose);
CREATE INDEX email_tokens_expires_idx ON email_tokens (expires_at);
