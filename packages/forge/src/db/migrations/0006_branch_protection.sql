-- Branch protection for trunk: direct pushes allowed or sessions only, who may land, and
-- whether a session needs an approving review before it lands.
ALTER TABLE projects ADD COLUMN trunk_push text NOT NULL DEFAULT 'allowed' CHECK (trunk_push IN ('allowed', 'sessions_only'));
ALTER TABLE projects ADD COLUMN land_role text NOT NULL DEFAULT 'write' CHECK (land_role IN ('write', 'admin'));
ALTER TABLE projects ADD COLUMN require_review boolean NOT NULL DEFAULT false;
ALTER TABLE sessions ADD COLUMN approved_by text;
ALTER TABLE sessions ADD COLUMN approved_at timestamptz;
