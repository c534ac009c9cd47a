-- Trust policy for agents (trust/agent-policy.ts): per project a strictness preset and the
-- maintainers' overrides of its numbers (tiers, quotas, backoff, cooling-off, near-duplicate
-- thresholds, human checkpoints, cascade approval); vouches of trusted introducers; and the
-- fingerprint of each agent's submitted change for near-duplicate detection.
CREATE TABLE project_agent_policies (
  project_id  text PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  strictness  text NOT NULL DEFAULT 'standard' CHECK (strictness IN ('off', 'lenient', 'standard', 'strict')),
  overrides   jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text
);

-- A trusted member vouches for an agent (an account and an agent name) in a project: its
-- human checkpoints are waived and it starts at least at the vouched tier.
CREATE TABLE agent_vouches (
  project_id   text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  account_id   text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  agent_name   text NOT NULL,
  tier         text NOT NULL CHECK (tier IN ('small', 'large', 'auto')),
  vouched_by   text NOT NULL,
  note         text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, account_id, agent_name)
);

-- MinHash of the added lines of a session's change, written when it is submitted to land.
-- A land refused as a near-duplicate names the session it repeats; it counts as slop.
ALTER TABLE sessions ADD COLUMN diff_minhash jsonb, ADD COLUMN duplicate_of text;

-- An agent's standing in a project reads its sessions by account and agent name.
CREATE INDEX sessions_agent_identity_idx ON sessions (project_id, author_id, agent_name, created_at)
  WHERE agent_name IS NOT NULL;
