// Git smart HTTP: clone, fetch (protocol v2; v0 for forks) and push through the system git's upload-pack
// and receive-pack in --stateless-rpc mode, streamed both ways; clone bundles (protocol v2's
// bundle-uri) are answered and served by bundles/. Credentials come only from
// the Authorization header (HTTP Basic with a password or token, or Bearer), never from the
// web session cookie, so other sites cannot make a browser push. The processes, their streams
// and their caps are run by git-service.ts; pushes are checked on the way by pack-guard.ts.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Context } from "hono";
import { Hono } from "hono";
import { notePushRefused, noticing } from "../abuse/abuse-service.ts";
import { anonymous } from "../accounts/viewer.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { getProject, type ProjectWithOwner } from "../projects/projects-service.ts";
import { scheduleReadmeIndex } from "../search/readme-index.ts";
import { recordPush } from "../sessions/project-events.ts";
import { BUNDLE_ROUTE, serveBundle } from "./bundles/bundle-download.ts";
import { bundleCapabilities } from "./bundles/bundle-uri.ts";
import { runGitService } from "./git-service.ts";
import { v2Advertisement } from "./git-service-advert.ts";
import { byteLimit, decodingStreams } from "./gzip-body.ts";
import { scheduleMaintenance } from "./maintain.ts";
import { packCacheArgs } from "./pack-cache.ts";
import { packGuard, receivePackConfig } from "./pack-guard.ts";
import { receiveHookArgs } from "./receive-hooks.ts";
import { answerV2Command } from "./v2-commands.ts";

export const smartHttp = new Hono<AppEnv>();

type Service = "git-upload-pack" | "git-receive-pack";
const SERVICES = new Set<Service>(["git-upload-pack", "git-receive-pack"]);

/** Paths git clients use, with or without the .git suffix. */
/** The refs a receive-pack report-status refused (pkt-lines "ng <ref> <reason>"), with their reasons. */
export function refusedRefs(output: string): string[] {
  return [...output.matchAll(/[0-9a-f]{4}ng (refs\/[^\s\0]+) ([^\n\0]*)/g)].map((m) =>
    `${m[1]}: ${m[2]}`.slice(0, 300),
  );
}

/** The refs a receive-pack report-status accepted (pkt-lines "ok <ref>"). */
export function acceptedRefs(output: string): string[] {
  return [...output.matchAll(/[0-9a-f]{4}ok (refs\/[^\s\0]+)/g)].map((m) => m[1]);
}

export const isGitPath = (path: string) =>
  /^\/[^/]+\/[^/]+\/(info\/refs|git-upload-pack|git-receive-pack|bundles\/[^/]+\.bundle)$/.test(path);

const challenge = () =>
  new AppError("unauthorized", "Authentication required", {
    headers: { "WWW-Authenticate": 'Basic realm="Micelio", charset="UTF-8"' },
  });

/** Resolves the project for a git request, asking anonymous clients to authenticate instead of saying 404. */
async function resolve(
  c: Context<AppEnv>,
  service: Service,
): Promise<{ project: ProjectWithOwner; dir: string }> {
  const viaHeader = c.get("authVia") === "token" || c.get("authVia") === "basic";
  const viewer = viaHeader ? c.get("viewer") : anonymous(c.get("viewer").ip);
  const owner = c.req.param("owner")!;
  const handle = c.req.param("project")!.replace(/\.git$/, "");
  const need = service === "git-receive-pack" ? "write" : "read";
  try {
    const { project } = await getProject(c.get("forge").db, viewer, owner, handle, need);
    const repos = c.get("forge").repos;
    if (!repos.exists(project.id)) throw notFound("Repository not found");
    return { project, dir: repos.dir(project.id) };
  } catch (err) {
    // Anonymous clients are asked for credentials whether or not the project exists,
    // and pushes always need them.
    if (err instanceof AppError && !viewer.user && (err.kind === "not_found" || err.kind === "forbidden"))
      throw challenge();
    throw err;
  }
}

/**
 * The client's Git-Protocol, passed on to git. Not for a fork's fetches: protocol v2's
 * upload-pack hands out any object it can read by id, and a fork reads its parent's objects
 * (alternates), so a fork speaks v0, which serves only what its own refs reach.
 */
function protocolEnv(c: Context<AppEnv>, service: Service, dir: string): Record<string, string> {
  const proto = c.req.header("git-protocol");
  if (!proto || !/^[\w.=:-]+$/.test(proto)) return {};
  if (service === "git-upload-pack" && existsSync(join(dir, "objects", "info", "alternates"))) return {};
  return { GIT_PROTOCOL: proto };
}

function pktLine(s: string): string {
  return (s.length + 4).toString(16).padStart(4, "0") + s;
}

smartHttp.get("/:owner/:project/info/refs", async (c) => {
  const service = c.req.query("service") as Service;
  if (!SERVICES.has(service)) {
    throw new AppError(
      "forbidden",
      "Dumb HTTP is not supported; use a git client with smart HTTP (any git since 1.6.6)",
    );
  }
  const { dir } = await resolve(c, service);
  const env = protocolEnv(c, service, dir);
  const v2 = service === "git-upload-pack" && /version=2/.test(env.GIT_PROTOCOL ?? "");
  // v2 advertises capabilities, not refs: served from memory (git-service-advert.ts).
  if (v2) return v2Advertisement(c, dir, env.GIT_PROTOCOL, await bundleCapabilities(c.get("forge"), dir));
  return runGitService(c, {
    // Never a fork's parent's refs (`.have` lines), whatever the repository's own config says.
    args: [
      "-c",
      "core.alternateRefsCommand=true",
      service.slice(4),
      "--stateless-rpc",
      "--advertise-refs",
      dir,
    ],
    env,
    contentType: `application/x-${service}-advertisement`,
    prefix: v2 ? undefined : `${pktLine(`# service=${service}\n`)}0000`,
  });
});

smartHttp.get(BUNDLE_ROUTE, (c) => serveBundle(c, () => resolve(c, "git-upload-pack")));

for (const service of SERVICES) {
  smartHttp.post(`/:owner/:project/${service}`, async (c) => {
    if (c.req.header("content-type") !== `application/x-${service}-request`) {
      throw new AppError("unsupported_media_type", `Expected application/x-${service}-request`);
    }
    const { dir, project } = await resolve(c, service);
    const forge = c.get("forge");
    const env = protocolEnv(c, service, dir);
    // Protocol v2's bundle-uri, ls-refs and repeated full fetches are the forge's to answer (v2-commands.ts).
    const peeked =
      service === "git-upload-pack" && /version=2/.test(env.GIT_PROTOCOL ?? "")
        ? await answerV2Command(c, project, dir)
        : { body: c.req.raw.body, decoded: false };
    if ("response" in peeked) return peeked.response;
    const limits = forge.config.git;
    // An answer the forge keeps itself (fetch-cache.ts) does not go through the pack cache's hook too.
    const record = "record" in peeked ? peeked.record : undefined;
    const extra =
      service === "git-receive-pack"
        ? receiveHookArgs({ protectTrunk: project.trunk_push === "sessions_only" })
        : record
          ? { args: [], env: {} }
          : packCacheArgs(forge.config.dataDir);
    const run = {
      args: [
        ...extra.args,
        ...(service === "git-receive-pack" ? receivePackConfig(limits) : []),
        service.slice(4),
        "--stateless-rpc",
        dir,
      ],
      env: { ...env, ...extra.env },
      contentType: `application/x-${service}-result`,
      record,
      input: {
        body: peeked.body,
        // Fetch requests (wants and haves) are capped in size, pushes by the pack guard.
        through: [
          ...(peeked.decoded ? [] : decodingStreams(c.req.header("content-encoding"))),
          service === "git-upload-pack"
            ? byteLimit(limits.maxRequestBytes, "The fetch request")
            : packGuard(limits),
        ],
      },
    };
    if (service === "git-receive-pack") {
      // Commits pushed straight to trunk become landings before git hears back.
      const pusher = c.get("viewer").user!;
      return runGitService(c, {
        ...run,
        after: async (code, output) => {
          // Refs the forge's hooks refused count towards the failed-pushes abuse signal.
          const refused = refusedRefs(output);
          if (refused.length > 0) {
            await noticing(
              c.var.log,
              notePushRefused(
                forge.db,
                forge.config.abuse,
                pusher,
                { id: project.id, fullName: `${project.owner_handle}/${project.handle}` },
                c.get("viewer").ip,
                refused,
              ),
            );
          }
          // Nothing moved (a malformed or refused push exits 0 too): no reconcile, no upkeep.
          const moved = acceptedRefs(output);
          if (code !== 0 || moved.length === 0) return;
          await forge.lander.reconcile(project.id, { id: pusher.id, handle: pusher.handle });
          await recordPush(forge.db, project.id, pusher.handle, moved);
          await scheduleMaintenance(forge.db, project.id);
          await scheduleReadmeIndex(forge.db, project.id); // any branch may be the default one
        },
      });
    }
    return runGitService(c, run);
  });
}
