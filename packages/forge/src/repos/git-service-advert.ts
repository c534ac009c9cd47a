// Protocol v2's capability advertisement (`info/refs?service=git-upload-pack` with
// Git-Protocol: version=2) served from memory. In v2 it names no refs: it depends only on
// git's version and the repository's configuration, so it is kept per repository, protocol
// value and config file (mtime and size), and a clone or fetch starts one git process fewer.
// A miss runs `upload-pack --advertise-refs` as before, in one of the git service slots.
// Capabilities the forge answers itself (bundle-uri, when a bundle exists) are added to the
// kept advertisement on the way out, so they never go stale in it.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Context } from "hono";
import type { AppEnv } from "../http/context.ts";
import { FLUSH, pktLine } from "./bundles/pkt-line.ts";
import { git } from "./git.ts";
import { clientKey, gitServiceSlots } from "./git-service-slots.ts";

const KEPT = 512;
const adverts = new Map<string, Buffer>();

/**
 * The v2 advertisement of the repository at `dir` (`protocol`: the Git-Protocol value), with
 * `extra` capability lines before its closing flush.
 */
export async function v2Advertisement(
  c: Context<AppEnv>,
  dir: string,
  protocol: string,
  extra: string[] = [],
): Promise<Response> {
  const config = await stat(join(dir, "config")).catch(() => null);
  const key = `${dir}\0${protocol}\0${config?.mtimeMs ?? 0}\0${config?.size ?? 0}`;
  let body = adverts.get(key);
  if (!body) {
    const forge = c.get("forge");
    const release = await gitServiceSlots(forge).acquire(clientKey(c.get("viewer")), c.req.raw.signal);
    try {
      body = await git(
        ["-c", "core.alternateRefsCommand=true", "upload-pack", "--stateless-rpc", "--advertise-refs", dir],
        { env: { GIT_PROTOCOL: protocol }, timeoutMs: forge.config.git.timeoutMs, maxBuffer: 64 * 1024 },
      );
    } finally {
      release();
    }
    if (adverts.size >= KEPT) adverts.delete(adverts.keys().next().value as string);
    adverts.set(key, body);
  }
  const ends = body.subarray(-4).equals(FLUSH);
  const out =
    extra.length > 0 && ends
      ? Buffer.concat([body.subarray(0, -4), ...extra.map((l) => pktLine(`${l}\n`)), FLUSH])
      : body;
  return new Response(new Uint8Array(out), {
    status: 200,
    headers: {
      "Content-Type": "application/x-git-upload-pack-advertisement",
      "Cache-Control": "no-cache, max-age=0, must-revalidate",
    },
  });
}
