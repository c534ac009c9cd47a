-- The bus's PostgreSQL channels are named per schema (db/notify-bus.ts): LISTEN/NOTIFY is
-- database-wide, so forges that share one database in separate schemas (the test suite runs
-- one schema per forge, in parallel) heard each other's cache drops, and a busy neighbour kept
-- emptying every other forge's caches. micelio_channel is the one place the name is made: the
-- triggers and the bus's senders call it, and the bus asks it once for its prefix before it
-- listens. The public schema keeps the names it had ('micelio_<channel>').
CREATE FUNCTION micelio_channel(name text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE current_schema() WHEN 'public' THEN 'micelio_' || name
         ELSE 'micelio_' || current_schema() || '_' || name END
$$;

CREATE OR REPLACE FUNCTION micelio_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'accounts' THEN
    PERFORM pg_notify(micelio_channel('auth'), OLD.id);
  ELSE
    PERFORM pg_notify(micelio_channel('auth'), OLD.user_id);
    IF TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id THEN
      PERFORM pg_notify(micelio_channel('auth'), NEW.user_id);
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION micelio_projects_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(micelio_channel('projects'), '');
  RETURN NULL;
END
$$;
