// Protocol v2's bundle-uri (gitprotocol-v2, "bundle-uri"): the `bundle-uri` capability in the
// advertisement when the repository has a bundle, and the forge's own answer to
// `command=bundle-uri` (the bundle list as `bundle.*=value` pkt-lines, then a flush; git's
// upload-pack knows only bundles written into the repository's config). The first bytes of an
// upload-pack request are looked at; any other command goes on to upload-pack untouched.
import type { Context } from "hono";
import { AppError } from "../../errors/app-error.ts";
import type { AppEnv, Forge } from "../../http/context.ts";
import { publicOrigin } from "../../meta/urls.ts";
import type { ProjectWithOwner } from "../../projects/projects-service.ts";
import { currentBundle } from "./bundle-store.ts";
import { bundleUrl } from "./bundle-urls.ts";
import { FLUSH, PktError, pktLine, pktText, readPkts } from "./pkt-line.ts";

/** The largest bundle-uri request read (a command, a few capabilities, a flush). */
const MAX_REQUEST = 16 * 1024;
const COMMANDS = [pktLine("command=bundle-uri\n"), pktLine("command=bundle-uri")];

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

const startsLike = (buf: Buffer, want: Buffer) =>
  buf.subarray(0, want.length).equals(want.subarray(0, Math.min(buf.length, want.length)));

/** A body stream giving `first` and then the rest of `reader`. */
function rejoin(first: Buffer, reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(ctrl) {
      if (first.length > 0) ctrl.enqueue(new Uint8Array(first));
    },
    async pull(ctrl) {
      const { done, value } = await reader.read();
      if (done) ctrl.close();
      else ctrl.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

const badRequest = (message: string) => new AppError("invalid", message);

/**
 * For an upload-pack request in protocol v2: the forge's answer when it is `command=bundle-uri`,
 * else the request body to hand to upload-pack (what was read put back in front).
 */
export async function answerBundleUri(
  c: Context<AppEnv>,
  project: ProjectWithOwner,
  dir: string,
): Promise<{ response: Response } | { body: ReadableStream<Uint8Array> | null }> {
  const body = c.req.raw.body;
  const encoding = c.req.header("content-encoding");
  if (!body || (encoding && encoding !== "identity")) return { body };
  const reader = body.getReader();
  let buf = Buffer.alloc(0);
  let ended = false;
  const more = async () => {
    const { done, value } = await reader.read().catch(() => {
      throw badRequest("The client went away");
    });
    if (done) ended = true;
    else buf = Buffer.concat([buf, value]);
  };
  // Read only as far as needed to tell whether the first pkt-line is the command.
  const longest = Math.max(...COMMANDS.map((w) => w.length));
  while (!ended && buf.length < longest && COMMANDS.some((w) => startsLike(buf, w))) await more();
  const command = COMMANDS.find((w) => buf.length >= w.length && buf.subarray(0, w.length).equals(w));
  if (!command) return { body: rejoin(buf, reader) };

  // The rest: capabilities (agent, object-format…), maybe a delimiter and arguments, a flush.
  for (;;) {
    let parsed: ReturnType<typeof readPkts>;
    try {
      parsed = readPkts(buf.subarray(command.length));
    } catch (err) {
      if (err instanceof PktError) throw badRequest(`bundle-uri: ${err.message}`);
      throw err;
    }
    const flush = parsed.pkts.findIndex((p) => p.kind === "flush");
    if (flush >= 0) {
      const delim = parsed.pkts.findIndex((p) => p.kind === "delim");
      const args = delim >= 0 ? parsed.pkts.slice(delim + 1, flush) : [];
      if (args.length > 0)
        throw badRequest(`bundle-uri: unexpected argument: '${pktText(args[0])?.slice(0, 100)}'`);
      break;
    }
    if (ended) throw badRequest("bundle-uri: expected flush after arguments");
    if (buf.length > MAX_REQUEST) throw badRequest("bundle-uri: the request is too long");
    await more();
  }
  await reader.cancel().catch(() => {});
  const lines = await bundleList(c, project, dir);
  const answer = Buffer.concat([...lines.map((l) => pktLine(l)), FLUSH]);
  return {
    response: new Response(new Uint8Array(answer), {
      status: 200,
      headers: {
        "Content-Type": "application/x-git-upload-pack-result",
        "Cache-Control": "no-cache, max-age=0, must-revalidate",
      },
    }),
  };
}
