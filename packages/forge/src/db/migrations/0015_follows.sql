-- Following: a user follows users and organizations; the home feed shows what they do.
-- A follow disappears with either account. Nobody follows themself.
CREATE TABLE follows (
  follower_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  followee_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (follower_id, followee_id),
  CHECK (follower_id <> followee_id)
);
CREATE INDEX follows_followee_idx ON follows (followee_id, created_at DESC);
-- Trending (home/popular.ts) finds the stars and landings of the last days across projects.
CREATE INDEX landings_created_idx ON landings (created_at DESC);
CREATE INDEX stars_created_idx ON stars (created_at DESC);
