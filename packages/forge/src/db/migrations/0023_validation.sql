-- Validation runs of sessions (checks/): one run per validated tree, its steps with what they
-- used and where their logs are, and the scores the gate compares with the project's
-- .micelio/checks.yml. A run is keyed by the session's commit and the trunk commit it was
-- merged onto, so a landing reuses the run when trunk has not moved since.
CREATE TABLE validation_runs (
  id              text PRIMARY KEY,
  project_id      text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  session_id      text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  session_commit  text NOT NULL,
  trunk_commit    text,
  trunk_position  integer NOT NULL,
  config_blob     text NOT NULL,
  trigger         text NOT NULL,
  iteration       integer NOT NULL,
  status          text NOT NULL DEFAULT 'running',
  provider        text NOT NULL,
  aggregate_score real,
  category_scores jsonb NOT NULL DEFAULT '{}',
  min_score       real NOT NULL DEFAULT 0,
  shortfalls      jsonb NOT NULL DEFAULT '[]',
  error           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz
);
CREATE INDEX validation_runs_session ON validation_runs (session_id, created_at DESC);
CREATE INDEX validation_runs_reuse ON validation_runs (session_id, session_commit, trunk_commit);

CREATE TABLE validation_steps (
  run_id          text NOT NULL REFERENCES validation_runs (id) ON DELETE CASCADE,
  seq             integer NOT NULL,
  name            text NOT NULL,
  category        text NOT NULL,
  weight          real NOT NULL,
  status          text NOT NULL,
  exit_code       integer,
  killed          text,
  duration_ms     integer NOT NULL DEFAULT 0,
  cpu_ms          integer,
  peak_memory     bigint,
  log_key         text,
  log_excerpt     text NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, seq)
);
