-- Error tracking (error-tracking/): one row per kind of error (its fingerprint), with how often
-- and when it happened, its latest message, stack and context (secrets scrubbed), its status
-- (open, resolved, muted) and the counters behind spike alerts.
CREATE TABLE error_groups (
  id             text PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN ('request', 'job', 'log', 'agent')),
  severity       text NOT NULL CHECK (severity IN ('error', 'fatal')),
  name           text NOT NULL,
  message        text NOT NULL,
  stack          text,
  context        jsonb NOT NULL DEFAULT '{}'::jsonb,
  count          int NOT NULL DEFAULT 1,
  first_seen     timestamptz NOT NULL DEFAULT now(),
  last_seen      timestamptz NOT NULL DEFAULT now(),
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'muted')),
  resolved_at    timestamptz,
  window_start   timestamptz NOT NULL DEFAULT now(),
  window_count   int NOT NULL DEFAULT 1,
  notified_at    timestamptz
);
CREATE INDEX error_groups_last_seen ON error_groups (last_seen DESC);
