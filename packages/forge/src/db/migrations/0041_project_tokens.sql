-- Project-scoped access tokens (tokens/project-tokens.ts). A token may be limited to chosen
-- projects (project_ids, their ids: null means every project its owner may reach); an
-- organization's token (org_id) is made by one of the org's owners, acts as that owner,
-- reaches only the org's projects, and stops working when its maker stops being an owner.
ALTER TABLE api_tokens ADD COLUMN project_ids text[];
ALTER TABLE api_tokens ADD COLUMN org_id text REFERENCES accounts (id) ON DELETE CASCADE;
CREATE INDEX api_tokens_org_idx ON api_tokens (org_id) WHERE org_id IS NOT NULL;

-- The cached authentications (migration 0022) must hear of a change of the new columns too,
-- and of a change of org ownership (an org token's maker demoted or removed).
DROP TRIGGER api_tokens_auth_changed ON api_tokens;
CREATE TRIGGER api_tokens_auth_changed
  AFTER UPDATE OF user_id, token_hash, scopes, expires_at, agent, project_ids, org_id OR DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION micelio_auth_changed();
CREATE TRIGGER org_members_auth_changed AFTER UPDATE OR DELETE ON org_members
  FOR EACH ROW EXECUTE FUNCTION micelio_auth_changed();
