// The checkout's conversation with the forge's git side: fetch trunk, push the session's
// commit to refs/sessions/<id>, take in a landed commit, find a trunk commit's position, and
// move the working copy to a new commit without losing edits (reset --keep refuses rather
// than overwrite).
import { ensureToken, request } from "./client.ts";
import type { Connection } from "./context.ts";
import { projectPath } from "./context.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { authEnv, git, gitOut } from "./git.ts";
import type { Workspace } from "./workspace.ts";

const remoteUrl = (ws: Workspace) => `${ws.state.server}/${ws.state.owner}/${ws.state.project}.git`;
const TRACKING = "refs/remotes/origin/main";

/** Fetches trunk into origin/main; its commit, or null while the project is empty. */
export async function fetchTrunk(ws: Workspace, conn: Connection, progress = false): Promise<string | null> {
  await ensureToken(conn);
  const remote = await git(["ls-remote", "--end-of-options", remoteUrl(ws), "refs/heads/main"], {
    cwd: ws.root,
    env: authEnv(conn.server, conn.handle, conn.token),
  }).catch(unreachable(ws));
  if (!remote.stdout.trim()) return null;
  await fetchInto(ws, conn, "refs/heads/main", TRACKING, progress);
  return gitOut(["rev-parse", TRACKING], { cwd: ws.root });
}

/** Fetches one ref of the forge's repository (e.g. refs/sessions/<id>) into `local`. */
export async function fetchInto(
  ws: Workspace,
  conn: Connection,
  ref: string,
  local: string,
  progress = false,
) {
  await ensureToken(conn);
  await git(
    [
      "fetch",
      progress ? "--progress" : "--quiet",
      "--no-tags",
      "--end-of-options",
      remoteUrl(ws),
      `+${ref}:${local}`,
    ],
    { cwd: ws.root, env: authEnv(conn.server, conn.handle, conn.token), progress },
  ).catch(unreachable(ws));
}

/** Pushes `commit` as the session's change (replacing what was there). */
export async function pushSession(
  ws: Workspace,
  conn: Connection,
  commit: string,
  id: string,
  progress = false,
) {
  await ensureToken(conn);
  await git(
    [
      "push",
      progress ? "--progress" : "--quiet",
      "--force",
      "--end-of-options",
      remoteUrl(ws),
      `${commit}:refs/sessions/${id}`,
    ],
    { cwd: ws.root, env: authEnv(conn.server, conn.handle, conn.token), progress },
  ).catch(unreachable(ws));
}

/**
 * Brings a commit the forge just landed into the checkout's origin/main. When nothing else
 * landed since the session's base, the checkout holds its tree (the snapshot's) and its
 * parent (the base), so the commit object from the land answer is written as it is (its id
 * proves it) and nothing is fetched; otherwise trunk is fetched.
 */
export async function receiveLanded(
  ws: Workspace,
  conn: Connection,
  snap: { tree: string; base: string | null },
  landed: { commit: string; commit_object?: string },
): Promise<"written" | "fetched"> {
  const raw = landed.commit_object ? Buffer.from(landed.commit_object, "base64") : null;
  const head = raw ? commitHead(raw) : null;
  if (raw && head?.tree === snap.tree && head.parents.join(" ") === (snap.base ?? "")) {
    const written = await gitOut(["hash-object", "-t", "commit", "-w", "--stdin"], {
      cwd: ws.root,
      input: raw,
    }).catch(() => null);
    if (written === landed.commit) {
      await git(["update-ref", TRACKING, landed.commit], { cwd: ws.root });
      return "written";
    }
  }
  await fetchInto(ws, conn, "refs/heads/main", TRACKING);
  return "fetched";
}

/** The tree and parents of a commit object. */
function commitHead(raw: Buffer): { tree: string; parents: string[] } {
  const text = raw.toString("utf8");
  const end = text.indexOf("\n\n");
  const lines = (end < 0 ? text : text.slice(0, end)).split("\n");
  const tree = lines.find((l) => l.startsWith("tree "))?.slice(5) ?? "";
  const parents = lines.filter((l) => l.startsWith("parent ")).map((l) => l.slice(7));
  return { tree, parents };
}

function unreachable(ws: Workspace) {
  return (err: unknown): never => {
    // Already told apart (a refusal the forge explained): as it is.
    if (err instanceof CliError && err.code !== EXIT.usage) throw err;
    const message = err instanceof Error ? err.message : String(err);
    // Quoted URLs left out: a port such as 40312 is no HTTP status.
    const words = message.replace(/'[^']*'/g, "''");
    if (/unable to access|Could not resolve|Failed to connect|Connection refused/i.test(words))
      throw new CliError(`cannot reach ${ws.state.server} (${message})`, EXIT.unreachable);
    if (/Authentication failed|403|404|not found/i.test(words))
      throw new CliError(`${message} (check mic auth status)`, EXIT.notFound);
    throw err;
  };
}

/** The trunk position of `commit` (0 for none). */
export async function positionOf(ws: Workspace, conn: Connection, commit: string | null): Promise<number> {
  if (!commit) return 0;
  const rows = await request<{ position: number }[]>(
    conn,
    "GET",
    `${projectPath(ws.state)}/landings?commit=${commit}&limit=1`,
  );
  if (!rows[0])
    throw new CliError(`commit ${commit.slice(0, 12)} is not on the project's trunk`, EXIT.conflict);
  return rows[0].position;
}

/**
 * Moves the checkout from the working tree captured in `snapshot` to `target`, then (when
 * `base` is given) leaves HEAD at `base` so the difference stays as uncommitted edits.
 */
export async function moveCheckout(root: string, snapshot: string, target: string, base?: string | null) {
  await git(["reset", "--quiet", "--mixed", snapshot], { cwd: root });
  await git(["reset", "--quiet", "--keep", target], { cwd: root });
  if (base !== undefined) {
    if (base) await git(["reset", "--quiet", "--mixed", base], { cwd: root });
    else
      await git(["update-ref", "-d", "HEAD"], { cwd: root }).then(() =>
        git(["read-tree", "--empty"], { cwd: root }),
      );
  }
}
