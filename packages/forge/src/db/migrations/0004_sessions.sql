-- Sessions (units of intent), their conversation, and landings on trunk with positions.

ALTER TABLE projects ADD COLUMN head_position integer NOT NULL DEFAULT 0;

CREATE TABLE sessions (
  id               text PRIMARY KEY,                 -- ULID
  project_id       text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  author_id        text REFERENCES accounts (id) ON DELETE SET NULL,
  author_handle    text NOT NULL,
  agent_name       text,
  agent_model      text,
  agent_version    text,
  goal             text NOT NULL,
  origin           text NOT NULL DEFAULT 'human' CHECK (origin IN ('human', 'ai-assisted', 'ai-generated')),
  base_position    integer NOT NULL,
  base_commit      text,                              -- null when trunk was empty
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'landed', 'abandoned', 'rejected')),
  status_reason    text,
  landed_position  integer,
  landed_commit    text,
  touched_paths    integer NOT NULL DEFAULT 0,
  lines_added      integer NOT NULL DEFAULT 0,
  lines_removed    integer NOT NULL DEFAULT 0,
  tokens_input     bigint NOT NULL DEFAULT 0,
  tokens_output    bigint NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  landed_at        timestamptz
);
CREATE INDEX sessions_project_idx ON sessions (project_id, id DESC);
CREATE INDEX sessions_project_status_idx ON sessions (project_id, status);

CREATE TABLE session_events (
  session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  seq        integer NOT NULL,
  kind       text NOT NULL,
  data       jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, seq)
);

CREATE TABLE landings (
  project_id    text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  position      integer NOT NULL,
  session_id    text REFERENCES sessions (id) ON DELETE SET NULL,
  commit_sha    text NOT NULL,
  parent_sha    text,
  paths_count   integer NOT NULL,
  filter        bytea NOT NULL,                      -- bloom filter of touched paths and parent dirs
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, position)
);
CREATE INDEX landings_session_idx ON landings (session_id);
CREATE INDEX landings_commit_idx ON landings (project_id, commit_sha);

-- Exact touched paths, for the comparison after a filter hit.
CREATE TABLE landing_paths (
  project_id text NOT NULL,
  position   integer NOT NULL,
  path       text NOT NULL,
  PRIMARY KEY (project_id, position, path),
  FOREIGN KEY (project_id, position) REFERENCES landings (project_id, position) ON DELETE CASCADE
);
CREATE INDEX landing_paths_path_idx ON landing_paths (project_id, path, position);

-- Rollup blocks over aligned ranges of positions (see packages/core/src/bloom).
CREATE TABLE landing_rollups (
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  level      integer NOT NULL,
  start      integer NOT NULL,
  data       bytea NOT NULL,
  complete   boolean NOT NULL DEFAULT false,
  PRIMARY KEY (project_id, level, start)
);
