-- The agents' circuit breaker: a project's maintainers (or the breaker itself, when agents'
-- sessions fail validation more often than the project's threshold in an hour) pause AI
-- contributions: agents' sessions can neither open nor land until a maintainer resumes them.
ALTER TABLE projects
  ADD COLUMN agents_paused_at      timestamptz,
  ADD COLUMN agents_paused_reason  text,
  ADD COLUMN agents_paused_by      text,
  ADD COLUMN circuit_max_failures  integer CHECK (circuit_max_failures BETWEEN 1 AND 10000);
-- The breaker counts a project's failed runs of the last hour.
CREATE INDEX validation_runs_failed_recent ON validation_runs (project_id, created_at) WHERE status = 'failed';
