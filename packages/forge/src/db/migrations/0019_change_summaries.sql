-- One-sentence summaries of code changes, written by the configured LLM (summaries/) and shown
-- on Open Graph cards of sessions, landings and commits. A change is stored under the trees at
-- its two ends in one project (base '' for a root commit), so a session and the landing that
-- put the same change on trunk share one summary. A row without a summary records failed
-- attempts, so that a failing endpoint is not asked again on every page view.
CREATE TABLE change_summaries (
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  base_sha    text NOT NULL,
  head_sha    text NOT NULL,
  summary     text,
  model       text,
  failures    integer NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, base_sha, head_sha)
);
