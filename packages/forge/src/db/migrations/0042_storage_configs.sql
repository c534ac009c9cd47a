-- Per-account artifact storage (storage/): a user's or an organization's own S3-compatible
-- bucket for its artifacts (OG pictures, session artifacts, validation logs). The access key
-- id and secret are sealed by the instance's secret box (crypto/, rotated by rotate-key.ts).
-- last_error / failing_since record the bucket failing, so the owner is told why the forge
-- fell back to the instance store; validated_at is the last validation that passed.
CREATE TABLE storage_configs (
  id                 text PRIMARY KEY,
  account_id         text NOT NULL UNIQUE REFERENCES accounts(id) ON DELETE CASCADE,
  provider           text NOT NULL CHECK (provider IN ('aws_s3', 'cloudflare_r2', 'minio', 'digitalocean_spaces', 'backblaze_b2', 'wasabi', 'custom')),
  bucket             text NOT NULL,
  region             text NOT NULL,
  endpoint           text,
  path_prefix        text NOT NULL DEFAULT '',
  access_key_id      text NOT NULL,
  secret_access_key  text NOT NULL,
  validated_at       timestamptz,
  last_error         text,
  failing_since      timestamptz,
  failures_in_row    int NOT NULL DEFAULT 0,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
