// Notes from remote (ActivityPub) actors a person follows, as notifications of kind
// `federation.note`: no project, a link to the note on its server (http(s) only, as federation/
// keeps them), the remote actor as `actor`. Inbox only, never mailed: a followed account's
// every post by mail would be noise; muting the kind hides them.
import type { Db } from "../db/db.ts";

export const REMOTE_NOTE = "federation.note";

export async function notifyRemoteNote(
  db: Db,
  userIds: string[],
  note: { actor: string; text: string; url: string | null },
) {
  if (userIds.length === 0 || !note.url || !/^https?:\/\//i.test(note.url)) return 0;
  const muted = await db
    .selectFrom("notification_settings")
    .select("user_id")
    .where("user_id", "in", userIds)
    .where((eb) => eb(eb.val(REMOTE_NOTE), "=", eb.fn.any("muted_kinds")))
    .execute();
  const skip = new Set(muted.map((m) => m.user_id));
  const to = userIds.filter((id) => !skip.has(id));
  if (to.length === 0) return 0;
  const title = `${note.actor}: ${note.text.replace(/\s+/g, " ").trim()}`.slice(0, 300);
  await db
    .insertInto("notifications")
    .values(
      to.map((user_id) => ({
        user_id,
        project_id: null,
        event_id: null,
        kind: REMOTE_NOTE,
        reason: "following",
        title,
        url: note.url!,
        actor: note.actor.slice(0, 200),
      })),
    )
    .execute();
  return to.length;
}
