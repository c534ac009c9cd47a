// /mic.mjs serves mic's bundle: JavaScript, cacheable and revalidated by ETag, byte for byte
// packages/mic/dist/mic.mjs — from the TypeScript sources and from the compiled forge bundle
// (whose modules resolve files from their source directories).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { exited, startForgeProcess } from "../testing/forge-process.ts";
import { MIC_BUNDLE } from "./mic-bundle.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..", "..");

describe("/mic.mjs", () => {
  let f: TestForge;
  beforeAll(async () => {
    const built = spawnSync(process.execPath, [join(ROOT, "packages", "mic", "build.mjs")]);
    expect(built.status).toBe(0);
    f = await startTestForge();
  });
  afterAll(() => f.close());

  it("serves mic's bundle as JavaScript with an ETag, and 304 when it is unchanged", async () => {
    const res = await fetch(`${f.url}/mic.mjs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300, must-revalidate");
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(readFileSync(MIC_BUNDLE))).toBe(true);
    expect(body.subarray(0, 26).toString()).toBe("#!/usr/bin/env node\nimport");
    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await fetch(`${f.url}/mic.mjs`, { headers: { "if-none-match": etag } });
    expect([again.status, again.headers.get("etag"), await again.text()]).toEqual([304, etag, ""]);
    const stale = await fetch(`${f.url}/mic.mjs`, { headers: { "if-none-match": '"0000"' } });
    expect(stale.status).toBe(200);
  });

  it("serves the same bytes from the compiled forge bundle", async () => {
    const built = spawnSync(process.execPath, [join(ROOT, "packages", "forge", "build.mjs")]);
    expect(built.status).toBe(0);
    const dataDir = mkdtempSync(join(tmpdir(), "micelio-mic-bundle-"));
    const forge = await startForgeProcess(
      { MICELIO_DATA_DIR: dataDir, DATABASE_URL: "" },
      join(ROOT, "packages", "forge", "dist", "micelio.mjs"),
    );
    try {
      const res = await fetch(`${forge.url}/mic.mjs`);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(MIC_BUNDLE))).toBe(true);
    } finally {
      forge.child.kill("SIGTERM");
      await exited(forge.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
