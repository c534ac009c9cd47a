// Liveness (/health: the process answers) and readiness (/ready: the database answers).
import { Hono } from "hono";
import { sql } from "kysely";
import type { AppEnv } from "../http/context.ts";

export const health = new Hono<AppEnv>();

health.get("/health", (c) => c.json({ status: "ok" }));

health.get("/ready", async (c) => {
  try {
    await sql`SELECT 1`.execute(c.get("forge").db);
    return c.json({ status: "ready", database: "ok" });
  } catch {
    return c.json({ status: "unavailable", database: "unreachable" }, 503);
  }
});
