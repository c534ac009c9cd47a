-- The fan-outs over project_events (webhooks, notifications, federation) remember the ids they
-- passed that were not yet visible (a transaction that committed late, or one that rolled back)
-- instead of reading the last 2,000 events again on every run (sessions/event-cursor.ts).
ALTER TABLE webhook_cursor ADD COLUMN gaps bigint[] NOT NULL DEFAULT '{}';
ALTER TABLE notification_cursor ADD COLUMN gaps bigint[] NOT NULL DEFAULT '{}';
ALTER TABLE federation_cursor ADD COLUMN gaps bigint[] NOT NULL DEFAULT '{}';
