-- Prompt templates and the prompt registry (prompts/). Maintainers curate a project's prompts
-- into templates (a slug id unique per project, a kind, a title and the prompt text with its
-- {{placeholders}}) that agents name when opening a session (sessions.template_id). The
-- registry searches the prompts sessions carry: newest first per project and across the
-- instance, and by a case-insensitive substring of the goal and prompt (a trigram index, so
-- the search stays fast on PostgreSQL and PGlite alike).
CREATE TABLE prompt_templates (
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  id          text NOT NULL CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  kind        text NOT NULL CHECK (kind IN ('bug-fix', 'feature', 'refactor', 'docs', 'test', 'other')),
  title       text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  body        text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 50000),
  created_by  text REFERENCES accounts (id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, id)
);

-- The registry's pages: a project's prompts and every prompt, newest first.
CREATE INDEX sessions_prompts_idx ON sessions (project_id, id DESC) WHERE prompt IS NOT NULL;
CREATE INDEX sessions_prompts_all_idx ON sessions (id DESC) WHERE prompt IS NOT NULL;

-- Substring search over goal and prompt: pg_trgm (migration 0009) wherever it was installed.
DO $$
DECLARE
  ns text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm');
BEGIN
  EXECUTE format(
    'CREATE INDEX sessions_prompt_search_idx ON sessions USING gin (lower(goal || '' '' || prompt) %s.gin_trgm_ops) WHERE prompt IS NOT NULL',
    ns);
END
$$;
