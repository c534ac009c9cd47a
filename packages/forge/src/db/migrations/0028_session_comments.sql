-- Review comments on sessions: a reviewer's plain comment, a change request, or a prompt
-- improvement suggestion (a rewritten prompt the agent may retry with). A comment may be
-- anchored to a file of the change (path, and a line of it); it can be resolved by the
-- project's administrators or the session's author. Comments stay allowed after a session
-- closes (post-landing review). Deleting the session deletes its comments.
CREATE TABLE session_comments (
  id               text PRIMARY KEY,
  session_id       text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  project_id       text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  author_id        text REFERENCES accounts (id) ON DELETE SET NULL,
  author_handle    text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('comment', 'prompt-suggestion', 'change-request')),
  body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  path             text CHECK (length(path) BETWEEN 1 AND 4096),
  line             integer CHECK (line IS NULL OR (line >= 1 AND path IS NOT NULL)),
  suggested_prompt text CHECK (
    suggested_prompt IS NULL OR (length(suggested_prompt) <= 20000 AND kind = 'prompt-suggestion')
  ),
  resolved_at      timestamptz,
  resolved_by      text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_comments_session_idx ON session_comments (session_id, id);
