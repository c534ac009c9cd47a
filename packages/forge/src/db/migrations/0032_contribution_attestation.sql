-- AI contribution transparency (docs/adr/0025-contribution-attestation.md): when the agent
-- produced a session's content (generated_at, as the agent says) and when it was submitted to
-- land (submitted_at, the forge's clock); the agent's signature over the session's content;
-- and the Ed25519 public keys people and agents register to sign with.
ALTER TABLE sessions
  ADD COLUMN generated_at timestamptz,
  ADD COLUMN submitted_at timestamptz,
  ADD COLUMN content_signature jsonb;

CREATE TABLE signing_keys (
  id          text PRIMARY KEY,
  account_id  text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name        text NOT NULL,
  public_key  text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX signing_keys_account ON signing_keys (account_id);
