// `mic session artifact FILE`: uploads a file an agent produced (a screenshot, a report) to the
// open session. The forge keeps it by content and appends an `artifact` event, so people
// watching the session see it arrive (images inline). The type comes from the extension
// unless --type says otherwise; the forge refuses files over 8 MiB (mic checks first).
import { readFile, stat } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import type { Command } from "commander";
import { request } from "../client.ts";
import { connection, projectPath } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { print } from "../output.ts";
import { requireSession, requireWorkspace } from "../workspace.ts";

const MAX_BYTES = 8 * 1024 * 1024;
const TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".svg": "image/svg+xml",
  ".txt": "text/plain",
  ".log": "text/plain",
  ".md": "text/markdown",
  ".json": "application/json",
  ".html": "text/html",
  ".pdf": "application/pdf",
  ".csv": "text/csv",
  ".xml": "application/xml",
  ".zip": "application/zip",
};

/** The content type mic sends for a file name: known extensions, otherwise octet-stream. */
export const contentTypeFor = (file: string) =>
  TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";

interface Stored {
  name: string;
  sha256: string;
  size: number;
  content_type: string;
  stored: boolean;
  url: string;
}

export function registerArtifact(session: Command, program: Command) {
  session
    .command("artifact")
    .description("upload a file (a screenshot, a report) to the open session; viewers see it as it arrives")
    .argument("<file>", "the file to upload (at most 8 MiB)")
    .option("--name <name>", "the name it is shown under (default: the file's name)")
    .option("--type <type>", "its content type (default: from the extension)")
    .action(async (file: string, opts: { name?: string; type?: string }) => {
      const ws = await requireWorkspace();
      const s = requireSession(ws);
      const path = resolve(file);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) throw new CliError(`${file}: no such file`, EXIT.usage);
      if (info.size > MAX_BYTES)
        throw new CliError(
          `${file} is ${info.size} bytes; an artifact is at most ${MAX_BYTES} bytes`,
          EXIT.usage,
        );
      const name = opts.name ?? basename(path);
      const contentType = opts.type ?? contentTypeFor(path);
      const conn = { ...connection(program, ws.state.server), timeoutMs: 60_000 };
      const url = `${projectPath(ws.state)}/sessions/${s.id}/artifacts?name=${encodeURIComponent(name)}`;
      const stored = await request<Stored>(conn, "POST", url, { raw: await readFile(path), contentType });
      const link = new URL(stored.url, ws.state.server).toString();
      print(
        program,
        { session: s.id, ...stored, url: link },
        `Uploaded ${stored.name} (${stored.size} bytes, ${stored.content_type}) to ${s.id}: ${link}`,
      );
    });
}
