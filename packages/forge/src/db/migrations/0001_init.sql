-- Foundation: accounts (users and organizations share one handle namespace), web sessions,
-- personal access tokens, projects, the append-only audit log, and the job queue.

CREATE TABLE accounts (
  id            text PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('user', 'org')),
  handle        text NOT NULL,
  display_name  text NOT NULL DEFAULT '',
  bio           text NOT NULL DEFAULT '',
  email         text,
  password_hash text,
  is_admin      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_handle_key ON accounts (lower(handle));
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email)) WHERE email IS NOT NULL;

CREATE TABLE org_members (
  org_id     text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  user_id    text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  role       text NOT NULL CHECK (role IN ('owner', 'member')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX org_members_user_idx ON org_members (user_id);

CREATE TABLE web_sessions (
  id           text PRIMARY KEY,            -- sha-256 of the cookie value
  user_id      text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  user_agent   text NOT NULL DEFAULT '',
  ip           text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX web_sessions_user_idx ON web_sessions (user_id);

CREATE TABLE api_tokens (
  id           text PRIMARY KEY,
  user_id      text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name         text NOT NULL,
  token_hash   text NOT NULL UNIQUE,        -- sha-256 of the token
  prefix       text NOT NULL,               -- first characters, shown in lists
  scopes       text[] NOT NULL,
  expires_at   timestamptz,
  last_used_at timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE projects (
  id          text PRIMARY KEY,
  owner_id    text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  handle      text NOT NULL,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  visibility  text NOT NULL CHECK (visibility IN ('public', 'private')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX projects_owner_handle_key ON projects (owner_id, lower(handle));
CREATE INDEX projects_visibility_idx ON projects (visibility, updated_at DESC);

-- Append-only: rows are written in the same transaction as the change they record.
CREATE TABLE audit_log (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor_id    text,
  actor       text NOT NULL DEFAULT '',      -- handle at the time, kept if the account goes
  action      text NOT NULL,
  target_type text NOT NULL,
  target_id   text NOT NULL,
  target      text NOT NULL DEFAULT '',      -- readable name at the time
  project_id  text,
  ip          text NOT NULL DEFAULT '',
  data        jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_project_idx ON audit_log (project_id, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Job queue (claimed with FOR UPDATE SKIP LOCKED).
CREATE TABLE jobs (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind         text NOT NULL,
  payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
  state        text NOT NULL DEFAULT 'available'
               CHECK (state IN ('available', 'running', 'completed', 'dead')),
  attempts     integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 5,
  run_at       timestamptz NOT NULL DEFAULT now(),
  unique_key   text,
  locked_by    text,
  locked_at    timestamptz,
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);
CREATE INDEX jobs_ready_idx ON jobs (run_at) WHERE state = 'available';
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running');
