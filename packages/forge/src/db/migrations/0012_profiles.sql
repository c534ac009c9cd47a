-- Profiles: a website, social links keyed by network, and an uploaded avatar (its content hash;
-- null means the generated identicon). Indexes for the activity graph and feed of an account.
ALTER TABLE accounts ADD COLUMN website text NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN links jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE accounts ADD COLUMN avatar text;
CREATE INDEX sessions_author_landed_idx ON sessions (author_id, landed_at DESC) WHERE landed_at IS NOT NULL;
