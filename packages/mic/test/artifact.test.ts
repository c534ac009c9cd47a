// `mic session artifact` against a real forge: the file's bytes arrive as an artifact event of
// the open session with the type its extension names, are read back byte for byte at the URL mic
// prints, and a missing file is a usage error that uploads nothing.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MicResult, micRunner } from "./run-mic.ts";

const SLOW = 120_000;
const work = mkdtempSync(join(tmpdir(), "mic-artifact-"));
const ok = (r: MicResult) => {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
// A 1×1 PNG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

describe("mic session artifact", () => {
  let f: TestForge;
  let token: string;
  let session: string;
  const dir = join(work, "app");
  let mic: ReturnType<typeof micRunner>;

  beforeAll(async () => {
    f = await startTestForge();
    token = (await userWithToken(f.url, "art")).token;
    await api(f.url, "POST", "/api/v1/projects", { token, json: { handle: "app" } });
    mic = micRunner({ MIC_SERVER: f.url, MIC_TOKEN: token, MIC_CONFIG_DIR: join(work, "cfg") });
    ok(await mic(work, "clone", "art/app", "app"));
    session = JSON.parse(ok(await mic(dir, "--json", "session", "start", "Take a screenshot"))).id;
  }, SLOW);
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "uploads a file as an artifact event and prints where to read it",
    async () => {
      const shot = join(work, "shot.png");
      writeFileSync(shot, PNG);
      const out = JSON.parse(
        ok(await mic(dir, "--json", "session", "artifact", shot, "--name", "home page")),
      );
      expect(out).toMatchObject({ session, name: "home page", size: PNG.length, content_type: "image/png" });
      expect(out.url).toMatch(new RegExp(`^${f.url}/art/app/sessions/${session}/artifacts/[0-9a-f]{64}$`));

      const back = await fetch(out.url, { headers: { authorization: `Bearer ${token}` } });
      expect(back.status).toBe(200);
      expect(back.headers.get("content-type")).toContain("image/png");
      expect(Buffer.from(await back.arrayBuffer()).equals(PNG)).toBe(true);

      const report = join(work, "report.txt");
      writeFileSync(report, "all green\n");
      const plain = ok(await mic(dir, "session", "artifact", report));
      expect(plain).toContain("Uploaded report.txt (10 bytes, text/plain)");

      const missing = await mic(dir, "session", "artifact", join(work, "nope.png"));
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain("no such file");

      const events = (
        await api(f.url, "GET", `/api/v1/projects/art/app/sessions/${session}/events`, { token })
      ).body as { kind: string; name?: string; content_type?: string }[];
      const artifacts = events.filter((e) => e.kind === "artifact");
      expect(artifacts.map((e) => [e.name, e.content_type])).toEqual([
        ["home page", "image/png"],
        ["report.txt", "text/plain"],
      ]);
    },
    SLOW,
  );
});
