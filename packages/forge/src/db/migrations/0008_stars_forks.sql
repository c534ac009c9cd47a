-- Stars and forks. A star is a (user, project) row; projects.stars_count is kept equal to
-- the number of rows by a trigger in the same transaction, so it stays right however a star
-- disappears (unstar, account or project deletion) and listings can sort by it cheaply.
-- A fork points at the project it was forked from; deleting the parent detaches its forks.
-- A session proposed from a fork to its parent keeps where it came from ("owner/project"
-- and the fork's session id): the parent's maintainers see it as an incoming session.
ALTER TABLE projects ADD COLUMN parent_id text REFERENCES projects (id) ON DELETE SET NULL;
ALTER TABLE projects ADD COLUMN stars_count integer NOT NULL DEFAULT 0;
CREATE INDEX projects_parent_idx ON projects (parent_id, created_at) WHERE parent_id IS NOT NULL;
CREATE INDEX projects_stars_idx ON projects (stars_count DESC, id);

CREATE TABLE stars (
  user_id    text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, project_id)
);
CREATE INDEX stars_project_idx ON stars (project_id, created_at DESC);
CREATE INDEX stars_user_idx ON stars (user_id, created_at DESC);

CREATE FUNCTION stars_count_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE projects SET stars_count = stars_count + 1 WHERE id = NEW.project_id;
  ELSE
    UPDATE projects SET stars_count = stars_count - 1 WHERE id = OLD.project_id;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER stars_count_sync AFTER INSERT OR DELETE ON stars
  FOR EACH ROW EXECUTE FUNCTION stars_count_sync();

ALTER TABLE sessions ADD COLUMN source text;
ALTER TABLE sessions ADD COLUMN source_session_id text;
CREATE UNIQUE INDEX sessions_source_open_key ON sessions (project_id, source_session_id)
  WHERE source_session_id IS NOT NULL AND status = 'open';
