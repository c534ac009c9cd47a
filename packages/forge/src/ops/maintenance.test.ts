// The hourly housekeeping job on a real database and object store: old Open Graph pictures
// and validation logs go, recent ones and other objects stay; completed jobs older than a week go; sign-ups whose
// verification link expired unused free their handles, and nothing else does.
import { mkdtempSync, rmSync } from "node:fs";
import { utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNUP_HOLD_MS } from "../accounts/handle-reservations.ts";
import { enqueue } from "../jobs/index.ts";
import { localObjectStore } from "../objects/object-store.ts";
import { testDatabase } from "../testing/database.ts";
import { MAINTENANCE_JOB, maintenanceHandlers, OG_MAX_AGE_DAYS } from "./maintenance.ts";

describe("maintenance", () => {
  const dir = mkdtempSync(join(tmpdir(), "micelio-maintenance-"));
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase({ template: true });
  });
  afterAll(async () => {
    await db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("deletes pictures drawn long ago and old completed jobs, and nothing else", async () => {
    const objects = localObjectStore(join(dir, "objects"));
    const old = new Date(Date.now() - (OG_MAX_AGE_DAYS + 1) * 86_400_000);
    const keys = ["og/project/old.png", "og/project/new.png", "themes/2020-01-01.json"];
    for (const key of [...keys, "validation/p/old/0.log", "validation/p/new/0.log"])
      await objects.put(key, "x");
    for (const key of ["og/project/old.png", "themes/2020-01-01.json", "validation/p/old/0.log"])
      await utimes(join(dir, "objects", ...key.split("/")), old, old);
    const done = await enqueue(db.handle.db, "some.kind", {});
    const recent = await enqueue(db.handle.db, "some.kind", {});
    await db.handle.db
      .updateTable("jobs")
      .set({ state: "completed", finished_at: new Date(Date.now() - 8 * 86_400_000) })
      .where("id", "=", done)
      .execute();
    await db.handle.db
      .updateTable("jobs")
      .set({ state: "completed", finished_at: new Date() })
      .where("id", "=", recent)
      .execute();

    const run = maintenanceHandlers(db.handle.db, dir, objects)[MAINTENANCE_JOB]!;
    await run({}, { job: {} as never, attempt: 1, signal: new AbortController().signal });

    expect(await objects.has("og/project/old.png")).toBe(false);
    expect(await objects.has("og/project/new.png")).toBe(true);
    expect(await objects.has("themes/2020-01-01.json")).toBe(true);
    expect(await objects.has("validation/p/old/0.log")).toBe(false);
    expect(await objects.has("validation/p/new/0.log")).toBe(true);
    const left = await db.handle.db.selectFrom("jobs").select("id").where("kind", "=", "some.kind").execute();
    expect(left.map((j) => j.id)).toEqual([recent]);
  });

  it("deletes expired pending sign-ups and handle reservations only", async () => {
    const d = db.handle.db;
    const old = new Date(Date.now() - SIGNUP_HOLD_MS - 3_600_000);
    const user = (handle: string, pending: boolean, created_at: Date, kind: "user" | "org" = "user") => ({
      id: `id-${handle}`,
      kind,
      handle,
      email: kind === "user" ? `${handle}@example.test` : null,
      password_hash: null,
      signup_pending: pending,
      created_at,
    });
    await d
      .insertInto("accounts")
      .values([
        user("gone", true, old),
        user("young", true, new Date()),
        user("settled", false, old),
        user("member", true, old),
        user("team", false, old, "org"),
      ])
      .execute();
    await d
      .insertInto("org_members")
      .values({ org_id: "id-team", user_id: "id-member", role: "member" })
      .execute();
    await d
      .insertInto("handle_reservations")
      .values([
        { handle: "lapsed", expires_at: new Date(Date.now() - 1000) },
        { handle: "held", expires_at: new Date(Date.now() + 3_600_000) },
      ])
      .execute();

    const run = maintenanceHandlers(d, dir, localObjectStore(join(dir, "objects")))[MAINTENANCE_JOB]!;
    await run({}, { job: {} as never, attempt: 1, signal: new AbortController().signal });

    const accounts = await d.selectFrom("accounts").select("handle").orderBy("handle").execute();
    expect(accounts.map((a) => a.handle)).toEqual(["member", "settled", "team", "young"]);
    const held = await d.selectFrom("handle_reservations").select("handle").execute();
    expect(held.map((r) => r.handle)).toEqual(["held"]);
    const audit = await d
      .selectFrom("audit_log")
      .select(["target", "target_type", "actor_id"])
      .where("action", "=", "account.signup_expire")
      .orderBy("target")
      .execute();
    expect(audit).toEqual([
      { target: "gone", target_type: "account", actor_id: null },
      { target: "lapsed", target_type: "handle", actor_id: null },
    ]);
  });
});
