// Who a signed-in user may create projects under: themself and their organizations.
import type { Context } from "hono";
import type { AppEnv } from "../http/context.ts";
import { listOrgsOf } from "../orgs/orgs-service.ts";

export async function ownerChoices(c: Context<AppEnv>): Promise<string[]> {
  const user = c.get("viewer").user!;
  const orgs = await listOrgsOf(c.get("forge").db, user.id);
  return [user.handle, ...orgs.map((o) => o.handle)];
}
