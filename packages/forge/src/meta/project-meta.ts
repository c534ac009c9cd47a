// The structured data of a project page: schema.org SoftwareSourceCode built from the
// project and trunk's head (licence, dominant language, last change).
import type { Context } from "hono";
import type { AppEnv } from "../http/context.ts";
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { type JsonLd, projectJsonLd } from "./json-ld.ts";
import { trunkFacts } from "./meta-service.ts";
import { publicOrigin } from "./urls.ts";

export async function projectPageJsonLd(c: Context<AppEnv>, p: ProjectWithOwner): Promise<JsonLd> {
  const origin = publicOrigin(c);
  const facts = await trunkFacts(c.get("forge"), p, { language: true });
  return projectJsonLd(p, {
    origin,
    cloneUrl: `${origin}/${p.owner_handle}/${p.handle}.git`,
    license: facts.license,
    language: facts.language,
    committedAt: facts.committedAt,
  });
}
