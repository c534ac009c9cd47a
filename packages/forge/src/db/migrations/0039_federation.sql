-- ActivityPub federation (federation/): each local actor's key pair (the private key sealed by the
-- instance's secret box), the remote actors following a local one, the remote actors local users
-- follow, what those sent them, and the publishing cursor over project_events.
CREATE TABLE federation_keys (
  owner_id     text PRIMARY KEY,
  public_jwk   text NOT NULL,
  private_jwk  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE federation_followers (
  local_id     text NOT NULL,
  actor_uri    text NOT NULL,
  inbox_url    text NOT NULL,
  follow_id    text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (local_id, actor_uri)
);

CREATE TABLE federation_following (
  user_id      text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  actor_uri    text NOT NULL,
  handle       text NOT NULL,
  inbox_url    text NOT NULL,
  follow_id    text NOT NULL,
  state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, actor_uri)
);
CREATE INDEX federation_following_actor ON federation_following (actor_uri);

CREATE TABLE federation_inbox (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  actor_uri    text NOT NULL,
  activity_id  text NOT NULL,
  content      text NOT NULL,
  url          text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, activity_id)
);
CREATE INDEX federation_inbox_user ON federation_inbox (user_id, created_at DESC);

CREATE TABLE federation_cursor (
  id        int PRIMARY KEY CHECK (id = 1),
  event_id  bigint NOT NULL
);
INSERT INTO federation_cursor (id, event_id) SELECT 1, coalesce(max(id), 0) FROM project_events;
