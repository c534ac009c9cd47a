-- Sign-in through other services (GitHub, GitLab, an OpenID Connect provider): the
-- identities linked to users, the state of a sign-in in progress, and a sign-up through a
-- provider that waits for the user to choose a handle. Accounts created this way may have
-- no password (accounts.password_hash is already nullable).

-- An account at a provider, linked to one user. Found by the provider's stable user id,
-- never by email. issuer is the provider's base URL (or OIDC issuer) when it was linked.
CREATE TABLE user_identities (
  id               text PRIMARY KEY,
  user_id          text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  provider         text NOT NULL,
  provider_user_id text NOT NULL,
  issuer           text NOT NULL,
  login            text NOT NULL DEFAULT '',
  email            text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_used_at     timestamptz
);
CREATE UNIQUE INDEX user_identities_provider_key ON user_identities (provider, provider_user_id);
CREATE UNIQUE INDEX user_identities_user_provider_key ON user_identities (user_id, provider);

-- Between the redirect to the provider and its callback. The browser holds a random value
-- in an HttpOnly cookie; only its hash is stored, with the state, PKCE verifier and nonce.
CREATE TABLE oauth_flows (
  id            text PRIMARY KEY,
  provider      text NOT NULL,
  state         text NOT NULL,
  code_verifier text NOT NULL,
  nonce         text NOT NULL,
  next          text NOT NULL DEFAULT '/',
  invite        text,
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_flows_expires_idx ON oauth_flows (expires_at);

-- A provider account not linked to anyone, waiting for its owner to choose a handle.
CREATE TABLE oauth_signups (
  id               text PRIMARY KEY,
  provider         text NOT NULL,
  provider_user_id text NOT NULL,
  issuer           text NOT NULL,
  login            text NOT NULL DEFAULT '',
  name             text NOT NULL DEFAULT '',
  email            text,
  email_verified   boolean NOT NULL DEFAULT false,
  next             text NOT NULL DEFAULT '/',
  invite           text,
  expires_at       timestamptz NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_signups_expires_idx ON oauth_signups (expires_at);

-- What the first step of a pending two-factor sign-in was (a password, or a provider), so
-- the session and the security log record how the user signed in.
ALTER TABLE login_challenges ADD COLUMN first_factor text NOT NULL DEFAULT 'password';
