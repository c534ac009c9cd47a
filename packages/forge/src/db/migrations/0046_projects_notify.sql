-- Projects as read-only views see them are cached in each forge process, with the viewer's
-- role (projects/project-view-cache.ts). Any change to a project (visibility, handle, owner,
-- trunk's head position, a fork made or deleted) or to an organization's members tells every
-- process on commit, on the bus's "projects" channel (db/notify-bus.ts), and they drop the
-- cache; accounts are already announced on "auth" (0022). One message per statement: a
-- transaction's identical notifications are delivered once.
CREATE FUNCTION micelio_projects_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('micelio_projects', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER projects_changed AFTER INSERT OR UPDATE OR DELETE ON projects
  FOR EACH STATEMENT EXECUTE FUNCTION micelio_projects_changed();

CREATE TRIGGER org_members_changed AFTER INSERT OR UPDATE OR DELETE ON org_members
  FOR EACH STATEMENT EXECUTE FUNCTION micelio_projects_changed();
