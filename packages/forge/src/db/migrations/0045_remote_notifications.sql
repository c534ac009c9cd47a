-- Notes from remote actors a user follows (federation/) are notifications too: they belong to
-- no project, so project_id may be null for them (kind 'federation.note').
ALTER TABLE notifications ALTER COLUMN project_id DROP NOT NULL;
