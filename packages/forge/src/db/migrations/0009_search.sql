-- Search: a weighted full-text document per project (name and handle A, description B,
-- README of the default branch C), kept in step by triggers and the search.readme job, plus
-- pg_trgm for the typo-tolerant fallback. The document lives beside projects, not in it, so
-- queries that select whole project rows do not carry README text around.

-- pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it. It goes
-- into "public" when that schema exists, so per-schema databases (tests) share one copy that
-- outlives any of them; the wrappers below call it wherever it was installed.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') THEN
      CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    ELSE
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    END IF;
  END IF;
END
$$;

DO $$
DECLARE
  ns text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm');
BEGIN
  EXECUTE format(
    'CREATE FUNCTION search_similarity(a text, b text) RETURNS real LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
    format('SELECT %s.similarity(a, b)', ns));
  EXECUTE format(
    'CREATE FUNCTION search_word_similarity(a text, b text) RETURNS real LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
    format('SELECT %s.word_similarity(a, b)', ns));
END
$$;

CREATE FUNCTION project_search_document(name text, handle text, description text, readme text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('english'::regconfig,
           coalesce(name, '') || ' ' || coalesce(handle, '') || ' ' ||
           regexp_replace(coalesce(handle, ''), '[-_.]+', ' ', 'g')), 'A')
      || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')
      || setweight(to_tsvector('english'::regconfig, coalesce(readme, '')), 'C')
$$;

CREATE TABLE project_search (
  project_id    text PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  readme_path   text,
  readme_commit text,
  readme_text   text NOT NULL DEFAULT '',
  document      tsvector NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_search_document_idx ON project_search USING gin (document);

-- Creating a project, or changing its name, handle or description, rebuilds its document.
CREATE FUNCTION project_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO project_search (project_id, document)
  VALUES (NEW.id, project_search_document(NEW.name, NEW.handle, NEW.description, ''))
  ON CONFLICT (project_id) DO UPDATE
    SET document = project_search_document(NEW.name, NEW.handle, NEW.description, project_search.readme_text),
        updated_at = now();
  RETURN NULL;
END;
$$;
CREATE TRIGGER projects_search_sync AFTER INSERT OR UPDATE OF name, handle, description ON projects
  FOR EACH ROW EXECUTE FUNCTION project_search_sync();

-- Existing projects: documents now, README text by the job queue.
INSERT INTO project_search (project_id, document)
SELECT id, project_search_document(name, handle, description, '') FROM projects;
INSERT INTO jobs (kind, payload, unique_key)
SELECT 'search.readme', jsonb_build_object('projectId', id), 'search.readme:' || id FROM projects;
