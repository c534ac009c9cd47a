// Editing a profile (user or organization): name, bio, website and social links, with an
// audit entry in the same transaction. Who may edit: the user themself; for an organization
// its owners; administrators for anyone.
import { z } from "zod";
import { isAdmin, type Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { forbidden, notFound } from "../errors/app-error.ts";
import { requireValid } from "../errors/validate.ts";
import { orgRole } from "../orgs/orgs-service.ts";
import { bioField, cleanLinks, linksField, type ProfileLinks, readLinks, websiteField } from "./links.ts";

export { avatarPath, profileFields } from "./profile-json.ts";

export const profileUpdateSchema = z
  .object({
    name: z.string().trim().max(100, "The name must be at most 100 characters").optional(),
    bio: bioField.optional(),
    website: websiteField.optional(),
    links: linksField.optional(),
  })
  .strict();
export type ProfileUpdate = z.input<typeof profileUpdateSchema>;

/** Throws not_found/forbidden unless the viewer may edit this account's profile. */
export async function requireProfileEditor(db: Db, viewer: Viewer, account: Account): Promise<void> {
  const user = viewer.user;
  if (!user) throw forbidden("Sign in to edit a profile");
  if (isAdmin(viewer) || account.id === user.id) return;
  if (account.kind === "org") {
    const role = await orgRole(db, account.id, user.id);
    if (role === "owner") return;
    if (role === "member") throw forbidden("Only organization owners can edit its profile");
  }
  throw notFound();
}

export async function updateProfile(
  db: Db,
  viewer: Viewer,
  account: Account,
  input: unknown,
): Promise<Account> {
  const data = requireValid(profileUpdateSchema, input);
  await requireProfileEditor(db, viewer, account);
  const links: ProfileLinks | undefined = data.links
    ? cleanLinks({ ...readLinks(account.links), ...data.links })
    : undefined;
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("accounts")
      .set({
        ...(data.name !== undefined ? { display_name: data.name } : {}),
        ...(data.bio !== undefined ? { bio: data.bio } : {}),
        ...(data.website !== undefined ? { website: data.website } : {}),
        ...(links !== undefined ? { links: JSON.stringify(links) } : {}),
        updated_at: new Date(),
      })
      .where("id", "=", account.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(
      trx,
      { user: viewer.user, ip: viewer.ip },
      {
        action: "account.profile.update",
        targetType: "account",
        targetId: account.id,
        target: account.handle,
        data: { fields: Object.keys(data) },
      },
    );
    return updated;
  });
}
