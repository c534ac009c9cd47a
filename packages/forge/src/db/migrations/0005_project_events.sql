-- Project-level event stream (session.created, session.landed, session.conflicted), read by
-- the SSE endpoint from any process; ids order events and let clients resume (Last-Event-ID).
CREATE TABLE project_events (
  id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  type       text NOT NULL,
  data       jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_events_project_idx ON project_events (project_id, id);
