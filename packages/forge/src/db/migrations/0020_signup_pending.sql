-- Verification-first sign-up (accounts/signup-service.ts): an account signed up while the
-- forge can send mail cannot sign in with its password until its address is verified, so a
-- sign-up never tells whether an address was already registered. Set by that sign-up only
-- and cleared when the address is verified (or proven by a password reset); every other
-- account (older ones, the first user, administrators' and OAuth sign-ups) keeps false.
ALTER TABLE accounts ADD COLUMN signup_pending boolean NOT NULL DEFAULT false;
