// /schemas/checks.json: the JSON Schema of `.micelio/checks.yml`, generated from the zod
// schema the forge itself checks with, so tools (and editors through yaml-language-server's
// `# yaml-language-server: $schema=…` comment) write configs the forge accepts.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/context.ts";
import { checksConfigSchema } from "./checks-config.ts";

let generated: Record<string, unknown> | undefined;

/** The schema document, for a given public URL of the forge (its `$id`). */
export function checksJsonSchema(server: string): Record<string, unknown> {
  generated ??= z.toJSONSchema(checksConfigSchema, { io: "input", unrepresentable: "any" });
  const schema = generated;
  return {
    ...schema,
    $id: `${server.replace(/\/+$/, "")}/schemas/checks.json`,
    title: "Micelio validation config (.micelio/checks.yml)",
  };
}

export const checksSchemaPage = new Hono<AppEnv>();

checksSchemaPage.get("/schemas/checks.json", (c) => {
  const configured = c.get("forge").config.publicUrl;
  const server = configured ?? new URL(c.req.url).origin;
  c.header("content-type", "application/schema+json; charset=utf-8");
  c.header("cache-control", configured ? "public, max-age=300" : "no-store");
  return c.body(JSON.stringify(checksJsonSchema(server), null, 2));
});
