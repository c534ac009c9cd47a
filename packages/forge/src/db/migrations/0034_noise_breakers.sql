-- Noise multiplication prevention (trust/noise.ts): per project the administrators' thresholds
-- of noise metrics (null = off) beyond which the agents' circuit breaker trips, and the last
-- trip; the near-duplicate refusals the breaker counts; the flag on a session whose prompt
-- looks AI-generated (trust/ai-prompt.ts); and when each kind of alert last went to a
-- project's maintainers (trust/maintainer-alerts.ts).
CREATE TABLE project_noise_thresholds (
  project_id         text PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  rejections_per_day integer CHECK (rejections_per_day BETWEEN 1 AND 10000),
  duplicates_per_hour integer CHECK (duplicates_per_hour BETWEEN 1 AND 10000),
  sessions_per_hour  integer CHECK (sessions_per_hour BETWEEN 1 AND 100000),
  cascade_percent    integer CHECK (cascade_percent BETWEEN 1 AND 100),
  last_trip          jsonb,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  updated_by         text
);

CREATE TABLE agent_refusals (
  id          bigserial PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  rule        text NOT NULL,
  author_id   text,
  agent_name  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_refusals_recent ON agent_refusals (project_id, rule, created_at);

ALTER TABLE sessions ADD COLUMN prompt_ai_reason text;

CREATE TABLE maintainer_alerts (
  project_id  text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind        text NOT NULL,
  sent_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, kind)
);

-- The breaker counts a project's agents' sessions opened and rejected recently.
CREATE INDEX sessions_agents_recent_idx ON sessions (project_id, created_at) WHERE agent_name IS NOT NULL;
