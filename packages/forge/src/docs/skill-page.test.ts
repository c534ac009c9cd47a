// /skill.md is served as Markdown with this instance's URL filled in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";

describe("/skill.md", () => {
  let f: TestForge;
  beforeAll(async () => {
    f = await startTestForge();
  });
  afterAll(() => f.close());

  it("is a Markdown guide naming this instance, its API and the mic loop", async () => {
    const res = await fetch(`${f.url}/skill.md`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const text = await res.text();
    expect(text).not.toContain("{{SERVER}}");
    expect(text).toContain(`mic --server ${f.url} auth login`);
    expect(text).toContain(`${f.url}/api/openapi.json`);
    for (const step of ["mic --json session start", "mic session note", "mic --json land", "mic --json sync"])
      expect(text).toContain(step);
    // mic installs from this forge in one line, and the file it names is served.
    expect(text).toContain(`curl -fsSL ${f.url}/mic.mjs -o ~/.local/bin/mic.mjs`);
    expect(text).toContain("mic approve SESSION");
  });
});
