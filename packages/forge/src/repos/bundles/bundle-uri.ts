// Protocol v2's bundle-uri (gitprotocol-v2, "bundle-uri"): the `bundle-uri` capability in the
// advertisement when the repository has a bundle, and the forge's own answer to
// `command=bundle-uri` (the bundle list as `bundle.*=value` pkt-lines, then a flush; git's
// upload-pack knows only bundles written into the repository's config), once v2-commands.ts has
// read the request.
import type { Context } from "hono";
import { AppError } from "../../errors/app-error.ts";
import type { AppEnv, Forge } from "../../http/context.ts";
import { publicOrigin } from "../../meta/urls.ts";
import type { ProjectWithOwner } from "../../projects/projects-service.ts";
import type { V2Peek } from "../v2-request.ts";
import { currentBundle } from "./bundle-store.ts";
import { bundleUrl } from "./bundle-urls.ts";
import { FLUSH, pktLine, pktText } from "./pkt-line.ts";

/** The capability lines to add to the repository's v2 advertisement. */
export async function bundleCapabilities(forge: Forge, dir: string): Promise<string[]> {
  if (!forge.config.bundles.enabled) return [];
  return (await currentBundle(dir)) ? ["bundle-uri"] : [];
}

/** The bundle list for the repository: empty when it has no bundle. */
export async function bundleList(
  c: Context<AppEnv>,
  project: ProjectWithOwner,
  dir: string,
): Promise<string[]> {
  const forge = c.get("forge");
  const info = forge.config.bundles.enabled ? await currentBundle(dir) : null;
  if (!info) return [];
  const url = bundleUrl(forge, publicOrigin(c), project, info.id);
  return ["bundle.version=1", "bundle.mode=all", `bundle.${info.id}.uri=${url}`];
}

const badRequest = (message: string) => new AppError("invalid", message);

/** The forge's answer (pkt-lines) to a `command=bundle-uri` request read by peekV2 (v2-request.ts). */
export async function answerBundleUri(
  c: Context<AppEnv>,
  project: ProjectWithOwner,
  dir: string,
  request: Exclude<V2Peek, { kind: "other" }>,
): Promise<Buffer> {
  if (request.kind === "incomplete") {
    if (request.reason === "malformed") throw badRequest(`bundle-uri: ${request.detail}`);
    if (request.reason === "ended") throw badRequest("bundle-uri: expected flush after arguments");
    throw badRequest("bundle-uri: the request is too long");
  }
  const delim = request.pkts.findIndex((p) => p.kind === "delim");
  const args = delim >= 0 ? request.pkts.slice(delim + 1) : [];
  if (args.length > 0)
    throw badRequest(`bundle-uri: unexpected argument: '${pktText(args[0]!)?.slice(0, 100)}'`);
  const lines = await bundleList(c, project, dir);
  return Buffer.concat([...lines.map((l) => pktLine(l)), FLUSH]);
}
