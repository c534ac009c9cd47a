-- Issue #14's remaining checks. Advisories (OSV records an administrator imports; the forge
-- fetches nothing) with one row per affected package, looked up by ecosystem and name when
-- the dependency-audit step reads a lockfile. Validation steps gain the metrics a step
-- printed (`::metric name=value`), its comparison with trunk's baseline, and coverage with
-- its change from trunk's last value.
CREATE TABLE advisories (
  id          text PRIMARY KEY,
  summary     text NOT NULL DEFAULT '',
  severity    text,
  aliases     jsonb NOT NULL DEFAULT '[]',
  modified    text,
  imported_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE advisory_affected (
  advisory_id text NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
  seq         integer NOT NULL,
  ecosystem   text NOT NULL,
  name        text NOT NULL,
  ranges      jsonb NOT NULL DEFAULT '[]',
  versions    jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (advisory_id, seq)
);
CREATE INDEX advisory_affected_package ON advisory_affected (ecosystem, name);

-- Trunk's last value of a step is looked up among the project's passed runs.
CREATE INDEX validation_runs_project ON validation_runs (project_id, status);

ALTER TABLE validation_steps ADD COLUMN metrics jsonb NOT NULL DEFAULT '{}';
ALTER TABLE validation_steps ADD COLUMN baseline jsonb;
ALTER TABLE validation_steps ADD COLUMN coverage real;
ALTER TABLE validation_steps ADD COLUMN coverage_delta real;
