-- Cron enqueues check finished jobs by unique key too; index the key for every state.
CREATE INDEX jobs_unique_key_idx ON jobs (unique_key) WHERE unique_key IS NOT NULL;
