-- Prompt requests: a session opened by an agent carries the prompt that produced it (its
-- system prompt, environment, cost and execution time beside the agent and model already
-- recorded), may revise an earlier session's prompt (lineage N+1 revises N), and records its
-- generation depth (0: a person; 1: an agent acting on a person's request; n+1: an agent
-- acting on depth-n AI output). Projects decide what happens to an agent's session that
-- passes the quality gate (it lands, or it waits for a maintainer's review) and cap the depth.
ALTER TABLE sessions
  ADD COLUMN prompt            text,
  ADD COLUMN system_prompt     text,
  ADD COLUMN environment       jsonb,
  ADD COLUMN cost_usd          double precision CHECK (cost_usd >= 0),
  ADD COLUMN execution_ms      bigint CHECK (execution_ms >= 0),
  ADD COLUMN revises_id        text REFERENCES sessions (id) ON DELETE SET NULL,
  ADD COLUMN template_id       text,
  ADD COLUMN generation_depth  integer NOT NULL DEFAULT 0 CHECK (generation_depth BETWEEN 0 AND 100),
  ADD COLUMN ready_at          timestamptz;
CREATE INDEX sessions_revises_idx ON sessions (revises_id) WHERE revises_id IS NOT NULL;
CREATE INDEX sessions_ready_idx ON sessions (project_id, ready_at) WHERE ready_at IS NOT NULL AND status = 'open';

ALTER TABLE projects
  ADD COLUMN agent_landing        text NOT NULL DEFAULT 'land' CHECK (agent_landing IN ('land', 'review')),
  ADD COLUMN max_generation_depth integer CHECK (max_generation_depth BETWEEN 1 AND 100);
