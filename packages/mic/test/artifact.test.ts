// `mic session artifact` against a real forge: the file's bytes arrive as an artifact event of
// the open session with the type its extension names, are read back byte for byte at the URL mic
// prints, and a missing file is a usage error that uploads nothing.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { api } from "@micelio/forge/testing/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MicProject, micProject, ok } from "./mic-project.ts";

const SLOW = 120_000;
// A 1×1 PNG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

describe("mic session artifact", () => {
  let p: MicProject;
  let session: string;

  beforeAll(async () => {
    p = await micProject("art");
    session = JSON.parse(ok(await p.mic(p.dir, "--json", "session", "start", "Take a screenshot"))).id;
  }, SLOW);
  afterAll(() => p.close(), SLOW);

  it(
    "uploads a file as an artifact event and prints where to read it",
    async () => {
      const shot = join(p.work, "shot.png");
      writeFileSync(shot, PNG);
      const out = JSON.parse(
        ok(await p.mic(p.dir, "--json", "session", "artifact", shot, "--name", "home page")),
      );
      expect(out).toMatchObject({ session, name: "home page", size: PNG.length, content_type: "image/png" });
      expect(out.url).toMatch(
        new RegExp(`^${p.forge.url}/art/app/sessions/${session}/artifacts/[0-9a-f]{64}$`),
      );

      const back = await fetch(out.url, { headers: { authorization: `Bearer ${p.token}` } });
      expect(back.status).toBe(200);
      expect(back.headers.get("content-type")).toContain("image/png");
      expect(Buffer.from(await back.arrayBuffer()).equals(PNG)).toBe(true);

      const report = join(p.work, "report.txt");
      writeFileSync(report, "all green\n");
      const plain = ok(await p.mic(p.dir, "session", "artifact", report));
      expect(plain).toContain("Uploaded report.txt (10 bytes, text/plain)");

      const missing = await p.mic(p.dir, "session", "artifact", join(p.work, "nope.png"));
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain("no such file");

      const events = (
        await api(p.forge.url, "GET", `/api/v1/projects/art/app/sessions/${session}/events`, {
          token: p.token,
        })
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
