-- Passkeys (WebAuthn credentials): several per user, each named, used to sign in without a
-- password or as the second step of two-factor sign-in. And the single-use challenges
-- handed to the browser for registering or using one.

CREATE TABLE passkeys (
  id            text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name          text NOT NULL,
  credential_id text NOT NULL UNIQUE,        -- base64url, as the authenticator made it
  public_key    bytea NOT NULL,              -- COSE public key
  counter       bigint NOT NULL DEFAULT 0,   -- signature counter; a lower one means a clone
  transports    text[] NOT NULL DEFAULT '{}',
  user_handle   text NOT NULL,               -- base64url WebAuthn user.id (random, per user)
  device_type   text NOT NULL DEFAULT 'singleDevice',
  backed_up     boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz
);
CREATE INDEX passkeys_user_idx ON passkeys (user_id);

-- A challenge lives a few minutes and is deleted when first checked. The browser holds a
-- random value in an HttpOnly cookie; the row is keyed by its hash.
CREATE TABLE passkey_challenges (
  id         text PRIMARY KEY,               -- sha-256 of the cookie value
  purpose    text NOT NULL,                  -- register | sign_in | second_step
  user_id    text REFERENCES accounts (id) ON DELETE CASCADE,
  challenge  text NOT NULL,                  -- base64url
  name       text NOT NULL DEFAULT '',       -- the name for a passkey being registered
  user_handle text NOT NULL DEFAULT '',      -- the user handle offered for it
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX passkey_challenges_expires_idx ON passkey_challenges (expires_at);
