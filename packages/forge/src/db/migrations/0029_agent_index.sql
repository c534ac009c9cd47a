-- An agent's record (trust/agent-stats.ts) reads its sessions by agent name.
CREATE INDEX sessions_agent_idx ON sessions (agent_name, id DESC) WHERE agent_name IS NOT NULL;
