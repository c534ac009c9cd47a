// Sends the working tree's change to the session on the forge. The quick way is one API call,
// PUT …/changes with the changed files, which starts no git transport and no hook on either
// side; the forge answers the session's new tree, and only a tree equal to the snapshot's
// counts (the session then holds exactly the working tree, as after a push). Otherwise, and
// for what the API does not take, mic pushes the snapshot commit to refs/sessions/<id> as it
// always did: gitlinks, bodies over the API's 1 MiB, paths the API refuses, and added lines
// that the forge's secret scanner flags — those must meet the forge's pre-receive hook, which
// refuses them before they are stored, so a secret never reaches the forge through the API.
import { pushSession } from "./checkout.ts";
import { request } from "./client.ts";
import { type Connection, projectPath } from "./context.ts";
import { CliError } from "./exit-codes.ts";
import { gitBytes, gitOut } from "./git.ts";
import { EMPTY_TREE, type RawChange } from "./snapshot.ts";
import type { Workspace } from "./workspace.ts";

/** The forge's API refuses bodies over 1 MiB; leave room for the JSON around the contents. */
const MAX_BODY = 1024 * 1024 - 4096;
const API_MODES = new Set(["100644", "100755", "120000"]);

export interface Snapshot {
  /** The session's base commit (null on an empty trunk). */
  base: string | null;
  tree: string;
  commit: string;
  raw: RawChange[];
}

/** Makes the session's change on the forge the snapshot's; how it went there. */
export async function uploadChange(
  ws: Workspace,
  conn: Connection,
  id: string,
  snap: Snapshot,
  progress: boolean,
): Promise<"api" | "push"> {
  if (await putChanges(ws, conn, id, snap)) return "api";
  await pushSession(ws, conn, snap.commit, id, progress);
  return "push";
}

async function putChanges(ws: Workspace, conn: Connection, id: string, snap: Snapshot): Promise<boolean> {
  const kept = snap.raw.filter((c) => c.status !== "deleted");
  if (snap.raw.length === 0 || kept.some((c) => !API_MODES.has(c.mode))) return false;
  const blobs = await readBlobs(
    ws.root,
    kept.map((c) => c.oid),
  );
  if (!blobs) return false;
  const changes = snap.raw.map((c) =>
    c.status === "deleted"
      ? { path: c.path, delete: true }
      : {
          path: c.path,
          content: blobs.get(c.oid)!.toString("base64"),
          ...(c.mode === "100644" ? {} : { mode: c.mode }),
        },
  );
  const body = { changes };
  if (Buffer.byteLength(JSON.stringify(body)) > MAX_BODY) return false;
  if (await flagsSecrets(ws.root, snap.base, snap.tree)) return false;
  try {
    const answer = await request<{ tree?: string }>(
      conn,
      "PUT",
      `${projectPath(ws.state)}/sessions/${encodeURIComponent(id)}/changes`,
      body,
    );
    return answer?.tree === snap.tree;
  } catch (err) {
    // Refused as a request (a path, a size): the push says it in git's words, as before.
    const status = err instanceof CliError ? err.details?.status : undefined;
    if (typeof status === "number" && [400, 413, 415, 422].includes(status)) return false;
    throw err;
  }
}

/** True when the forge's secret scanner flags a line the change adds (the same scan as its hook). */
async function flagsSecrets(root: string, base: string | null, tree: string): Promise<boolean> {
  const patch = await gitOut(
    [
      "diff-tree",
      "-r",
      "-p",
      "-U0",
      "--no-color",
      "--no-renames",
      "--no-ext-diff",
      "--no-textconv",
      "--src-prefix=a/",
      "--dst-prefix=b/",
      base ?? EMPTY_TREE,
      tree,
      "--",
    ],
    { cwd: root },
  );
  const { scanDiff } = await import("@micelio/core/secrets/scan");
  return scanDiff(patch).length > 0;
}

/** The contents of blobs by id, through one `git cat-file --batch`; null if one is missing. */
async function readBlobs(root: string, oids: string[]): Promise<Map<string, Buffer> | null> {
  const blobs = new Map<string, Buffer>();
  if (oids.length === 0) return blobs;
  const out = await gitBytes(["cat-file", "--batch"], { cwd: root, input: `${oids.join("\n")}\n` });
  let at = 0;
  for (const oid of oids) {
    const nl = out.indexOf(10, at);
    if (nl < 0) return null;
    const [name, type, size] = out.toString("utf8", at, nl).split(" ");
    if (name !== oid || type !== "blob") return null;
    const end = nl + 1 + Number(size);
    blobs.set(oid, out.subarray(nl + 1, end));
    at = end + 1;
  }
  return blobs;
}
