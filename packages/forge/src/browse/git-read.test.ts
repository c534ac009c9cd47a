// The git store layer against a real bare repository: refs and the default branch, ref +
// path splitting (slashes in branch names, tags, commit ids), trees, blobs, the bounded
// last-commit walk, history pages, and a commit's changed files and patch.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitChanges, commitPatch, getCommit, lastCommits, listCommits } from "./git-history.ts";
import {
  isBinary,
  listRefs,
  listTree,
  type RepoRefs,
  readBlob,
  resolveCommitId,
  resolveRefPath,
  statPath,
} from "./git-read.ts";
import { buildRepo, type Fixture, PNG, runGit } from "./test-repo.ts";

describe("git-read", () => {
  const work = mkdtempSync(join(tmpdir(), "micelio-git-read-"));
  const bare = join(work, "bare.git");
  let fx: Fixture;
  let refs: RepoRefs;

  beforeAll(async () => {
    fx = await buildRepo(join(work, "src"));
    await runGit(work, "clone", "-q", "--mirror", fx.src, bare);
    refs = await listRefs(bare);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("lists branches and tags with their commits, default branch first", () => {
    expect(refs.defaultBranch).toBe("main");
    expect(refs.branches.map((b) => b.name)).toEqual(["main", "feature/x"]);
    expect(refs.branches[0]!.commit).toBe(fx.head);
    const tags = Object.fromEntries(refs.tags.map((t) => [t.name, t.commit]));
    expect(tags).toEqual({ "v1.0": fx.appChange, "v0.1": fx.first }); // annotated tag peeled
  });

  it("falls back to main, master or any branch when HEAD names none", async () => {
    const other = join(work, "master-only.git");
    await runGit(work, "init", "-q", "--bare", "-b", "main", other);
    await runGit(fx.src, "push", "-q", other, "feature/x:master");
    const r = await listRefs(other);
    expect(r.headName).toBe("main");
    expect(r.defaultBranch).toBe("master");
    const empty = join(work, "empty.git");
    await runGit(work, "init", "-q", "--bare", "-b", "trunk", empty);
    expect(await listRefs(empty)).toMatchObject({
      branches: [],
      defaultBranch: undefined,
      headName: "trunk",
    });
  });

  it("splits ref and path: longest branch or tag prefix, then commit ids", async () => {
    expect(await resolveRefPath(bare, "feature/x/feature.txt", refs)).toEqual({
      ref: "feature/x",
      kind: "branch",
      commit: fx.feature,
      path: "feature.txt",
    });
    expect(await resolveRefPath(bare, "v1.0/src/app.ts", refs)).toMatchObject({
      ref: "v1.0",
      kind: "tag",
      commit: fx.appChange,
      path: "src/app.ts",
    });
    expect(await resolveRefPath(bare, `${fx.first}/src`, refs)).toMatchObject({
      kind: "commit",
      commit: fx.first,
      path: "src",
    });
    expect(await resolveRefPath(bare, `${fx.first.slice(0, 8)}`, refs)).toMatchObject({ commit: fx.first });
    expect(await resolveRefPath(bare, "nope/src", refs)).toBeUndefined();
    expect(await resolveRefPath(bare, "feature", refs)).toBeUndefined();
    expect(await resolveCommitId(bare, "HEAD")).toBeUndefined(); // only hex ids go to rev-parse
    // HEAD names the default branch, as in GitHub's URLs.
    expect(await resolveRefPath(bare, "HEAD/src/app.ts", refs)).toEqual({
      ref: "main",
      kind: "branch",
      commit: fx.head,
      path: "src/app.ts",
    });
    expect(await resolveRefPath(bare, "HEAD", refs)).toMatchObject({ ref: "main", path: "" });
    const none = { branches: [], tags: [], defaultBranch: undefined, headName: "main" };
    expect(await resolveRefPath(bare, "HEAD/src", none)).toBeUndefined();
  });

  it("lists trees directories first and stats paths", async () => {
    const root = await listTree(bare, fx.head, "");
    const names = root!.map((e) => `${e.type}:${e.name}`);
    expect(names.slice(0, 3)).toEqual(["tree:docs", "tree:notes", "tree:src"]);
    expect(names).toContain("blob:README.md");
    expect(root!.find((e) => e.name === "big.txt")!.size).toBeGreaterThan(1024 * 1024);
    expect((await listTree(bare, fx.head, "src"))!.map((e) => e.path)).toEqual(["src/app.ts", "src/long.ts"]);
    expect(await listTree(bare, fx.head, "README.md")).toBeUndefined();
    expect(await listTree(bare, fx.head, "missing")).toBeUndefined();
    expect(await statPath(bare, fx.head, "docs/logo.png")).toMatchObject({ type: "blob", size: PNG.length });
    expect(await statPath(bare, fx.head, "docs")).toMatchObject({ type: "tree" });
    expect(await statPath(bare, fx.head, "docs/nope")).toBeUndefined();
  });

  it("reads blobs with a size cap and detects binary content", async () => {
    const logo = await statPath(bare, fx.head, "docs/logo.png");
    const { data, truncated } = await readBlob(bare, logo!.oid, 1 << 20);
    expect(Buffer.compare(data, PNG)).toBe(0);
    expect(truncated).toBe(false);
    expect(isBinary(data)).toBe(true);
    const big = await statPath(bare, fx.head, "big.txt");
    const head = await readBlob(bare, big!.oid, 100);
    expect(head.data.length).toBe(100);
    expect(head.truncated).toBe(true);
    expect(isBinary(head.data)).toBe(false);
  });

  it("finds each entry's last commit in one bounded walk", async () => {
    const names = (await listTree(bare, fx.head, ""))!.map((e) => e.name);
    const { found, complete } = await lastCommits(bare, fx.head, "", names);
    expect(complete).toBe(true);
    expect(found.get("README.md")!.subject).toBe("Initial import");
    expect(found.get("counter.txt")!.subject).toBe("Count 30");
    expect(found.get("src")!.subject).toBe("Template greeting");
    expect(found.get("docs")!.subject).toBe("Add assets");
    const src = await lastCommits(bare, fx.head, "src", ["app.ts", "long.ts"]);
    expect(src.found.get("app.ts")!.sha).toBe(fx.appChange);
    expect(src.found.get("long.ts")!.sha).toBe(fx.assets);
  });

  it("pages through history, optionally for one path", async () => {
    const page1 = await listCommits(bare, fx.head, { skip: 0, limit: 30 });
    expect(page1).toHaveLength(30);
    expect(page1[0]!.subject).toBe("Count 30");
    const page2 = await listCommits(bare, fx.head, { skip: 30, limit: 30 });
    expect(page2.map((c) => c.subject)).toEqual(["Template greeting", "Add assets", "Initial import"]);
    const app = await listCommits(bare, fx.head, { path: "src/app.ts", skip: 0, limit: 10 });
    expect(app.map((c) => c.sha)).toEqual([fx.appChange, fx.first]);
    // A pathspec is literal: "*" is not a glob.
    expect(await listCommits(bare, fx.head, { path: "src/*", skip: 0, limit: 10 })).toEqual([]);
  });

  it("describes a commit: message, parents, files and the patch", async () => {
    const c = await getCommit(bare, fx.assets);
    expect(c!.subject).toBe("Add assets");
    expect(c!.message).toContain("Images, a page, binary and large files.");
    expect(c!.parents).toEqual([fx.first]);
    expect(c!.author.name).toBe("Ada Tester");
    const files = await commitChanges(bare, c!);
    expect(files.find((f) => f.path === "docs/logo.png")).toMatchObject({ status: "added", binary: true });
    expect(files.find((f) => f.path === "src/long.ts")).toMatchObject({ additions: 1, deletions: 0 });
    const change = await getCommit(bare, fx.appChange);
    const patch = await commitPatch(bare, change!, 1 << 20);
    expect(patch.truncated).toBe(false);
    expect(patch.files).toHaveLength(1);
    expect(patch.files[0]!.lines).toContain(`+export const markup = "<script>alert('diff')</script>";`);
    expect(patch.files[0]!.lines).toContain("-export const answer = 42;");
    const root = await getCommit(bare, fx.first);
    expect((await commitChanges(bare, root!)).map((f) => f.status)).toEqual(["added", "added", "added"]);
    const cut = await commitPatch(bare, c!, 2000);
    expect(cut.truncated).toBe(true);
  });
});
