// /skill.md: a concise guide for agents to work with this instance through mic and the API,
// with the instance's own URL filled in. Kept current with mic (see AGENTS.md).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";

const TEMPLATE = readFileSync(join(import.meta.dirname, "skill.md"), "utf8");

export const skillPage = new Hono<AppEnv>();

skillPage.get("/skill.md", (c) => {
  const configured = c.get("forge").config.publicUrl;
  const server = configured ?? new URL(c.req.url).origin;
  c.header("content-type", "text/markdown; charset=utf-8");
  // Without a configured public URL the text depends on the Host header: never share it.
  c.header("cache-control", configured ? "public, max-age=300" : "no-store");
  return c.body(TEMPLATE.replaceAll("{{SERVER}}", server.replace(/\/+$/, "")));
});
