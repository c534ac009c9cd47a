import { describe, expect, it } from "vitest";
import { addedLines, unquoteGitPath } from "./diff.ts";
import { scanDiff } from "./scan.ts";
import { ALNUM, AWS_EXAMPLE_KEY_ID, AWS_EXAMPLE_SECRET, fakeChars, fakePem } from "./test-support.ts";

const npmToken = `npm_${fakeChars(ALNUM, 36, 41)}`;

describe("addedLines", () => {
  it("numbers added lines as in the new file, with context (git diff)", () => {
    const patch = [
      "diff --git a/src/a.ts b/src/a.ts",
      "index 83db48f..bf269f4 100644",
      "--- a/src/a.ts",
      "+++ b/src/a.ts",
      "@@ -1,4 +1,5 @@ export function f() {",
      " line one",
      "-old two",
      "+new two",
      "+new three",
      " line four",
      " line five",
      "@@ -20,2 +21,3 @@",
      " ctx",
      "+++ added line that starts with two pluses",
      " ctx",
      "diff --git a/gone.txt b/gone.txt",
      "deleted file mode 100644",
      "--- a/gone.txt",
      "+++ /dev/null",
      "@@ -1 +0,0 @@",
      "-bye",
    ].join("\n");
    expect(addedLines(patch)).toEqual([
      {
        path: "src/a.ts",
        lines: [
          { line: 2, text: "new two" },
          { line: 3, text: "new three" },
          { line: 22, text: "++ added line that starts with two pluses" },
        ],
      },
    ]);
  });

  it("reads -U0 hunks, counts omitted as one, and a `git show` header", () => {
    const patch = [
      "commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
      "Author: A <a@example.com>",
      "",
      "    +++ not a header: indented commit message",
      "",
      "diff --git a/x b/x",
      "new file mode 100644",
      "--- /dev/null",
      "+++ b/x",
      "@@ -0,0 +1,2 @@",
      "+first",
      "+second",
      "diff --git a/y b/y",
      "--- a/y",
      "+++ b/y",
      "@@ -7 +7 @@",
      "-was",
      "+is",
      "\\ No newline at end of file",
      "@@ -30,0 +31 @@",
      "+tail",
    ].join("\n");
    expect(addedLines(patch)).toEqual([
      {
        path: "x",
        lines: [
          { line: 1, text: "first" },
          { line: 2, text: "second" },
        ],
      },
      {
        path: "y",
        lines: [
          { line: 7, text: "is" },
          { line: 31, text: "tail" },
        ],
      },
    ]);
  });

  it("reads combined merge diffs", () => {
    const patch = [
      "diff --cc m.txt",
      "index 1,2..3",
      "--- a/m.txt",
      "+++ b/m.txt",
      "@@@ -1,2 -1,2 +1,3 @@@",
      "  same",
      "- from ours only",
      " +from theirs",
      "++resolved",
    ].join("\n");
    expect(addedLines(patch)).toEqual([
      {
        path: "m.txt",
        lines: [
          { line: 2, text: "from theirs" },
          { line: 3, text: "resolved" },
        ],
      },
    ]);
  });

  it("unquotes git's quoted paths", () => {
    expect(unquoteGitPath('"b/caf\\303\\251 \\"x\\".txt"')).toBe('b/café "x".txt');
    expect(unquoteGitPath("b/plain")).toBe("b/plain");
    const patch = '--- a/x\n+++ "b/caf\\303\\251.env"\n@@ -0,0 +1 @@\n+k\n';
    expect(addedLines(patch).map((f) => f.path)).toEqual(["café.env"]);
  });
});

describe("scanDiff", () => {
  it("reports only added lines, at their new-file line numbers", () => {
    const patch = [
      "diff --git a/config/prod.env b/config/prod.env",
      "--- a/config/prod.env",
      "+++ b/config/prod.env",
      "@@ -10,3 +10,3 @@",
      ` OLD=${npmToken}`,
      `-AWS_ACCESS_KEY_ID=${AWS_EXAMPLE_KEY_ID}`,
      "+AWS_ACCESS_KEY_ID=",
      " X=1",
      "@@ -40,0 +41,2 @@",
      "+# keys",
      `+aws_secret_access_key = ${AWS_EXAMPLE_SECRET}`,
    ].join("\n");
    const findings = scanDiff(patch);
    expect(findings.map((f) => [f.path, f.line, f.column, f.rule])).toEqual([
      ["config/prod.env", 42, 25, "aws-secret-access-key"],
    ]);
    expect(JSON.stringify(findings)).not.toContain(AWS_EXAMPLE_SECRET);
  });

  it("finds a private key added in one hunk and honours allow markers", () => {
    const pem = fakePem("OPENSSH ").split("\n");
    const patch = [
      "diff --git a/k b/k",
      "--- /dev/null",
      "+++ b/k",
      `@@ -0,0 +1,${pem.length + 1} @@`,
      `+token ${npmToken} # micelio:allow-secret`,
      ...pem.map((l) => `+${l}`),
    ].join("\n");
    expect(scanDiff(patch).map((f) => [f.rule, f.line])).toEqual([["private-key", 2]]);
  });

  it("ignores lines a diff removes and binary patches", () => {
    const patch = [
      "diff --git a/a b/a",
      "--- a/a",
      "+++ b/a",
      "@@ -1 +0,0 @@",
      `-${npmToken}`,
      "diff --git a/img.png b/img.png",
      "Binary files a/img.png and b/img.png differ",
    ].join("\n");
    expect(scanDiff(patch)).toEqual([]);
  });
});
