// isAncestor through the layer agrees with `git merge-base --is-ancestor` on random histories
// with merges, whether the walk decides or runs out of budget and asks git.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { isAncestor } from "./ancestry.ts";
import { GitRepo } from "./git-repo.ts";

const work = mkdtempSync(join(tmpdir(), "micelio-ancestry-"));
const dir = join(work, "repo.git");
const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
const git = (args: string[], input = "") =>
  execFileSync("git", args, {
    cwd: dir,
    input,
    env: {
      ...env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
  })
    .toString()
    .trim();
execFileSync("git", ["init", "-q", "--bare", dir]);
const tree = git(["mktree"]);
const repo = new GitRepo(dir, { timeoutMs: 10_000 });
afterAll(() => {
  repo.close();
  rmSync(work, { recursive: true, force: true });
});

const gitSays = (a: string, b: string) => {
  try {
    git(["merge-base", "--is-ancestor", a, b]);
    return true;
  } catch {
    return false;
  }
};

describe("isAncestor", () => {
  it("answers as git does, with and without enough budget to decide by walking", async () => {
    // A history: each commit names up to two earlier commits as parents (none: a root).
    const history = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 2 })), {
      minLength: 2,
      maxLength: 12,
    });
    await fc.assert(
      fc.asyncProperty(
        history,
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 }),
        async (spec, pairs) => {
          const commits: string[] = [];
          spec.forEach(([p1, p2, n], i) => {
            const parents =
              i === 0 || n === 0
                ? []
                : [...new Set([commits[p1 % i], ...(n === 2 ? [commits[p2 % i]] : [])])];
            commits.push(
              git([
                "commit-tree",
                tree,
                ...parents.flatMap((p) => ["-p", p]),
                "-m",
                `c${i} ${commits.length}`,
              ]),
            );
          });
          for (const [a, b] of pairs) {
            const [x, y] = [commits[a % commits.length], commits[b % commits.length]];
            const want = gitSays(x, y);
            expect(await isAncestor(repo, x, y)).toBe(want);
            expect(await isAncestor(repo, x, y, 1)).toBe(want);
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
