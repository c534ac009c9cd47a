-- Administration: suspended accounts, instance settings changeable at runtime (the
-- registration mode, defaulting to MICELIO_REGISTRATION), and single-use invite links.

ALTER TABLE accounts ADD COLUMN suspended_at timestamptz;
ALTER TABLE accounts ADD COLUMN suspended_reason text NOT NULL DEFAULT '';

CREATE TABLE instance_settings (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The link carries a random token; only its hash is stored. used_by is the account the
-- invite created (no foreign key: it is consumed in the same transaction as the sign-up).
CREATE TABLE invites (
  id          text PRIMARY KEY,
  token_hash  text NOT NULL UNIQUE,
  created_by  text REFERENCES accounts (id) ON DELETE SET NULL,
  note        text NOT NULL DEFAULT '',
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  used_by     text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invites_created_idx ON invites (created_at DESC);
