-- Platform limits and abuse review: a per-account project limit (NULL: the instance default,
-- MICELIO_PROJECT_LIMIT), tokens marked as used by an agent (their own rate-limit tier), and
-- the administrators' review queue of accounts flagged by abuse signals, each with the
-- explanation of why (signal, numbers, when).

ALTER TABLE accounts ADD COLUMN project_limit integer;
ALTER TABLE api_tokens ADD COLUMN agent boolean NOT NULL DEFAULT false;

CREATE TABLE review_queue (
  id           text PRIMARY KEY,
  account_id   text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  signal       text NOT NULL,
  explanation  text NOT NULL,
  data         jsonb NOT NULL DEFAULT '{}',
  state        text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'dismissed', 'suspended')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  resolved_at  timestamptz,
  resolved_by  text REFERENCES accounts (id) ON DELETE SET NULL
);
-- At most one open entry per account and signal: a signal that fires again while open adds nothing.
CREATE UNIQUE INDEX review_queue_open_idx ON review_queue (account_id, signal) WHERE state = 'open';
CREATE INDEX review_queue_state_idx ON review_queue (state, created_at DESC);
-- Counting recent actions of an actor (projects per hour, refused pushes) reads the audit log.
CREATE INDEX audit_log_actor_action_idx ON audit_log (actor_id, action, created_at);
