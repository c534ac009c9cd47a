-- Webhooks (webhooks/): a project's or an organization's hooks, each with its URL, its secret
-- (sealed by the instance's secret box), the events it wants and a format (JSON, Slack,
-- Discord); the log of its deliveries; and the fan-out cursor over project_events.
CREATE TABLE webhooks (
  id               text PRIMARY KEY,
  project_id       text REFERENCES projects(id) ON DELETE CASCADE,
  org_id           text REFERENCES accounts(id) ON DELETE CASCADE,
  url              text NOT NULL,
  secret           text NOT NULL,
  events           text[] NOT NULL,
  format           text NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack', 'discord')),
  active           boolean NOT NULL DEFAULT true,
  failures_in_row  int NOT NULL DEFAULT 0,
  disabled_reason  text,
  created_by       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((project_id IS NULL) <> (org_id IS NULL))
);
CREATE INDEX webhooks_project ON webhooks (project_id) WHERE project_id IS NOT NULL;
CREATE INDEX webhooks_org ON webhooks (org_id) WHERE org_id IS NOT NULL;

CREATE TABLE webhook_deliveries (
  id               text PRIMARY KEY,
  hook_id          text NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event_id         bigint,
  event            text NOT NULL,
  payload          jsonb NOT NULL,
  redelivery_of    text,
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts         int NOT NULL DEFAULT 0,
  status           int,
  response_excerpt text,
  error            text,
  duration_ms      int,
  created_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (hook_id, created_at DESC);
-- The fan-out looks back over recent events (a transaction may commit an earlier id late);
-- this keeps it to one delivery per hook and event.
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (hook_id, event_id) WHERE redelivery_of IS NULL;

CREATE TABLE webhook_cursor (
  id        int PRIMARY KEY CHECK (id = 1),
  event_id  bigint NOT NULL
);
INSERT INTO webhook_cursor (id, event_id) SELECT 1, coalesce(max(id), 0) FROM project_events;
