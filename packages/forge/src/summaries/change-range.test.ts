// Reading a change between two commits with real git: commits, files and lines, the biggest
// files first, a root commit against the empty tree, binary files, and the text for the model.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGit } from "../testing/git.ts";
import { changeFacts, changeText, commitRange, summaryKey } from "./change-range.ts";

describe("change ranges", () => {
  const dir = mkdtempSync(join(tmpdir(), "micelio-range-"));
  const commits: string[] = [];
  const commit = async (files: Record<string, string | Buffer>, message: string) => {
    for (const [path, body] of Object.entries(files)) writeFileSync(join(dir, path), body);
    await runGit(dir, "add", "-A");
    await runGit(dir, "commit", "-q", "-m", message);
    commits.push(await runGit(dir, "rev-parse", "HEAD"));
  };

  beforeAll(async () => {
    await runGit(dir, "init", "-q", "-b", "main");
    await commit({ "a.txt": "one\n" }, "root");
    await commit({ "a.txt": "one\ntwo\nthree\n", "b.txt": "b\n" }, "second");
    await commit({ "logo.bin": Buffer.from([0, 1, 2, 0, 255]), "c tab\there.txt": "x\ny\n" }, "third");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("counts commits, files and lines, biggest files first", async () => {
    const facts = await changeFacts(dir, { base: commits[0]!, head: commits[2]! });
    expect(facts).toEqual({
      commits: 2,
      files: 4,
      added: 5,
      removed: 0,
      top: [
        { path: "a.txt", added: 2, removed: 0 },
        { path: "c tab\there.txt", added: 2, removed: 0 },
        { path: "b.txt", added: 1, removed: 0 },
      ],
    });
  });

  it("reads a root commit against the empty tree, and a commit as a range from its parent", async () => {
    expect(await commitRange(dir, commits[0]!)).toEqual({ base: null, head: commits[0] });
    expect(await commitRange(dir, commits[2]!)).toEqual({ base: commits[1], head: commits[2] });
    expect(await commitRange(dir, "0".repeat(40))).toBeNull();
    const root = await changeFacts(dir, { base: null, head: commits[0]! });
    expect(root).toMatchObject({ commits: 1, files: 1, added: 1, removed: 0 });
    const third = await changeFacts(dir, (await commitRange(dir, commits[2]!))!);
    expect(third.top).toContainEqual({ path: "logo.bin", added: null, removed: null });
  });

  it("gives the model the subjects, the files and the patch cut to a size", async () => {
    const text = await changeText(dir, { base: commits[0]!, head: commits[2]! }, 60);
    expect(text.subjects).toEqual(["third", "second"]);
    expect(text.files.map((f) => f.path).sort()).toEqual(["a.txt", "b.txt", "c tab\there.txt", "logo.bin"]);
    expect(text.truncated).toBe(true);
    expect(Buffer.byteLength(text.patch)).toBeLessThanOrEqual(60);
    const whole = await changeText(dir, { base: commits[0]!, head: commits[1]! }, 100_000);
    expect(whole.truncated).toBe(false);
    expect(whole.patch).toContain("+three");
  });

  it("keys a summary by the trees at both ends: the same change made twice shares one", async () => {
    const tree = (c: string) => runGit(dir, "rev-parse", `${c}^{tree}`);
    expect(await summaryKey(dir, { base: null, head: commits[0]! })).toEqual({
      base: "",
      head: await tree(commits[0]!),
    });
    const key = await summaryKey(dir, { base: commits[0]!, head: commits[1]! });
    expect(key).toEqual({ base: await tree(commits[0]!), head: await tree(commits[1]!) });
    // Another commit with the same tree on the same parent (as a landing without replay).
    const twin = await runGit(dir, "commit-tree", await tree(commits[1]!), "-p", commits[0]!, "-m", "twin");
    expect(twin).not.toBe(commits[1]);
    expect(await summaryKey(dir, { base: commits[0]!, head: twin })).toEqual(key);
    await expect(summaryKey(dir, { base: null, head: "0".repeat(40) })).rejects.toThrow();
  });
});
