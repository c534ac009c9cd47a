-- Token authentications are cached in each forge process (tokens/token-cache.ts). Whatever
-- changes an account or a token's meaning — revocation, suspension, deletion (cascades
-- included), scopes, expiry, any write by any process or by hand — tells every process on
-- commit, on the bus's "auth" channel (db/notify-bus.ts), with the account's id, and they
-- drop what they cached for it. last_used_at, written once a minute per token, does not.
CREATE FUNCTION micelio_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'accounts' THEN
    PERFORM pg_notify('micelio_auth', OLD.id);
  ELSE
    PERFORM pg_notify('micelio_auth', OLD.user_id);
    IF TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id THEN
      PERFORM pg_notify('micelio_auth', NEW.user_id);
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER accounts_auth_changed AFTER UPDATE OR DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION micelio_auth_changed();

CREATE TRIGGER api_tokens_auth_changed
  AFTER UPDATE OF user_id, token_hash, scopes, expires_at, agent OR DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION micelio_auth_changed();
