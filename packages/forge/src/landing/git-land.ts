// The git side of a landing: the landing commit (goal, decisions, trailers) written through
// the git layer, trunk moved by one compare-and-swap per epoch through its long-lived
// `update-ref --stdin`; and, for `mic sync`, a merge with `git merge-tree --write-tree`.
import { git, gitText } from "../repos/git.ts";
import { type GitRepo, ZERO_OID } from "../repos/git-layer/git-repo.ts";
import { formatCommit } from "../repos/git-layer/objects.ts";

export const TRUNK = "refs/heads/main";
const ZERO = "0".repeat(40);

export const treeOf = async (dir: string, commit: string) =>
  (await gitText(["rev-parse", `${commit}^{tree}`], { cwd: dir })).trim();

/** The tree of `session` merged onto `head`; `conflicts` lists paths git could not merge. */
export async function mergeOnto(dir: string, head: string | null, base: string | null, session: string) {
  if (head === base) return { tree: await treeOf(dir, session), conflicts: [] as string[] };
  if (!head) return { tree: await treeOf(dir, session), conflicts: [] };
  const out = await gitText(
    [
      "merge-tree",
      "--write-tree",
      "--allow-unrelated-histories",
      "--name-only",
      "--no-messages",
      "-z",
      head,
      session,
    ],
    {
      cwd: dir,
      okCodes: [1],
    },
  );
  const [tree, ...rest] = out.split("\0").filter(Boolean);
  return { tree, conflicts: rest };
}

export function landingMessage(goal: string, decisions: string[], trailers: Record<string, string | null>) {
  const body = decisions.length
    ? `\n\n${decisions.map((d) => `- ${d.replace(/\s+/g, " ").trim()}`).join("\n")}`
    : "";
  const lines = Object.entries(trailers)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}: ${v}`);
  return `${goal.replace(/\s+/g, " ").trim()}${body}\n\n${lines.join("\n")}\n`;
}

export async function writeCommit(
  dir: string,
  tree: string,
  parent: string | null,
  message: string,
  env: Record<string, string>,
) {
  const args = ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-F", "-"];
  return (await gitText(args, { cwd: dir, input: message, env })).trim();
}

/** Moves trunk from `expected` to `next`; false when someone else moved it first. */
export async function casTrunk(dir: string, next: string, expected: string | null): Promise<boolean> {
  return git(["update-ref", "-m", "micelio land", TRUNK, next, expected ?? ZERO], { cwd: dir }).then(
    () => true,
    () => false,
  );
}

/** Trunk's head commit read through the git layer (no process started). */
export const trunkHeadOf = (repo: GitRepo) => repo.resolveCommit(TRUNK);

/**
 * Writes a commit in process, byte for byte what `git commit-tree -F -` writes with the
 * same environment (GIT_AUTHOR_* and GIT_COMMITTER_* names, emails and ISO dates).
 */
export function writeCommitIn(
  repo: Pick<GitRepo, "write">,
  tree: string,
  parent: string | null,
  message: string,
  env: Record<string, string>,
) {
  const when = (iso: string | undefined) => Math.floor((iso ? Date.parse(iso) : Date.now()) / 1000);
  return repo.write(
    "commit",
    formatCommit({
      tree,
      parents: parent ? [parent] : [],
      author: { name: env.GIT_AUTHOR_NAME, email: env.GIT_AUTHOR_EMAIL, when: when(env.GIT_AUTHOR_DATE) },
      committer: {
        name: env.GIT_COMMITTER_NAME,
        email: env.GIT_COMMITTER_EMAIL,
        when: when(env.GIT_COMMITTER_DATE),
      },
      message,
    }),
  );
}

/** Moves trunk from `expected` to `next` through the git layer; false when it moved first. */
export const casTrunkIn = (repo: GitRepo, next: string, expected: string | null) =>
  repo.updateRefs([{ ref: TRUNK, next, expected: expected ?? ZERO_OID }], "micelio land");
