-- Remote replies to a public project's published notes (federation/replies.ts): kept pending until
-- a project maintainer approves or rejects them; only approved ones show on the session page.
-- Content is text (remote HTML reduced to text on arrival), never markup.
CREATE TABLE federation_replies (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id    text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  session_id    text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  note_id       text NOT NULL UNIQUE,
  actor_uri     text NOT NULL,
  author        text NOT NULL,
  url           text,
  content       text NOT NULL,
  state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
  moderated_by  text,
  moderated_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX federation_replies_session ON federation_replies (session_id, state, id);
CREATE INDEX federation_replies_project ON federation_replies (project_id, state, id);
CREATE INDEX federation_replies_actor ON federation_replies (actor_uri, state);
