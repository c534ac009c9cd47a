-- Notifications (notifications/): what each person watches, their inbox, how they want mail,
-- and the fan-out cursor over project_events.
CREATE TABLE watches (
  user_id     text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  project_id  text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  level       text NOT NULL CHECK (level IN ('all', 'sessions', 'releases', 'ignore')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, project_id)
);
CREATE INDEX watches_project ON watches (project_id);

CREATE TABLE notifications (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  project_id  text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  event_id    integer,
  kind        text NOT NULL,
  reason      text NOT NULL,
  title       text NOT NULL,
  url         text NOT NULL,
  actor       text,
  read_at     timestamptz,
  emailed_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, event_id)
);
CREATE INDEX notifications_inbox ON notifications (user_id, created_at DESC);

CREATE TABLE notification_settings (
  user_id      text PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  email        text NOT NULL DEFAULT 'instant' CHECK (email IN ('instant', 'daily', 'off')),
  muted_kinds  text[] NOT NULL DEFAULT '{}',
  unsubscribe  text NOT NULL UNIQUE,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notification_cursor (
  id        int PRIMARY KEY CHECK (id = 1),
  event_id  bigint NOT NULL
);
INSERT INTO notification_cursor (id, event_id) SELECT 1, coalesce(max(id), 0) FROM project_events;
