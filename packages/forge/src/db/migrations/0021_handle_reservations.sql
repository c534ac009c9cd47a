-- Handles held by verification-first sign-ups (accounts/handle-reservations.ts). A sign-up
-- with a registered address creates no account; its handle is reserved here instead, for as
-- long as a pending account (signup_pending) would hold it, so that the handle does not tell
-- which of the two happened. Handles are stored lower-cased; the hourly clean-up deletes
-- expired rows together with the pending accounts whose verification link has expired.
CREATE TABLE handle_reservations (
  handle      text PRIMARY KEY,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX handle_reservations_expires_idx ON handle_reservations (expires_at);
-- The clean-up looks for pending accounts by age.
CREATE INDEX accounts_signup_pending_idx ON accounts (created_at) WHERE signup_pending;
