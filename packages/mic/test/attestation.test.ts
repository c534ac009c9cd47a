// Contribution attestation through mic against a real forge: `mic key create` registers a key,
// `mic land` signs the session's content with it, `mic session attestation ID -o FILE` saves the
// attestation (checked against the forge's published key), and `mic verify FILE` accepts it
// offline and refuses it (exit 7) once a field is changed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, userWithToken } from "@micelio/forge/testing/client";
import { startTestForge, type TestForge } from "@micelio/forge/testing/forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MicResult, micRunner } from "./run-mic.ts";

const SLOW = 120_000;
const work = mkdtempSync(join(tmpdir(), "mic-attest-"));
const ok = (r: MicResult) => {
  expect(r.status, r.stderr + r.stdout).toBe(0);
  return r.stdout;
};

describe("mic attestation", () => {
  let f: TestForge;
  let mic: ReturnType<typeof micRunner>;
  const dir = join(work, "app");

  beforeAll(async () => {
    f = await startTestForge();
    const alice = await userWithToken(f.url, "alice");
    await api(f.url, "POST", "/api/v1/projects", { token: alice.token, json: { handle: "app" } });
    mic = micRunner({ MIC_SERVER: f.url, MIC_TOKEN: alice.token, MIC_CONFIG_DIR: join(work, "cfg") });
    ok(await mic(work, "clone", "alice/app", "app"));
  }, SLOW);
  afterAll(async () => {
    await f.close();
    rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it(
    "signs a landing with the registered key and verifies the saved attestation offline",
    async () => {
      const key = JSON.parse(ok(await mic(dir, "--json", "key", "create", "--name", "ci")));
      expect(key.key_id).toMatch(/^ed25519:[0-9a-f]{32}$/);
      const id = JSON.parse(ok(await mic(dir, "--json", "session", "start", "Add a greeting"))).id;
      writeFileSync(join(dir, "hello.txt"), "hello\n");
      ok(await mic(dir, "--json", "land"));
      const file = join(work, "attestation.json");
      const human = ok(await mic(dir, "session", "attestation", id, "-o", file));
      expect(human).toContain("Verified.");
      expect(human).toContain(`author signature: ${key.key_id}`);
      const saved = JSON.parse(readFileSync(file, "utf8"));
      expect(saved.record).toMatchObject({ session: id, origin: "human" });
      expect(saved.agent_signature.key_id).toBe(key.key_id);
      expect(ok(await mic(work, "verify", file))).toContain("Verified.");
      const published = (await api(f.url, "GET", "/api/v1/attestation-key")).body.key_id;
      ok(await mic(work, "verify", file, "--forge-key", published));
      expect((await mic(work, "verify", file, "--forge-key", "ed25519:someone-else")).status).toBe(7);
      saved.record.origin = "human";
      saved.record.landed_position = 99;
      writeFileSync(file, JSON.stringify(saved));
      const bad = await mic(work, "--json", "verify", file);
      expect(bad.status).toBe(7);
      expect(JSON.parse(bad.stdout).problems).toContain("signed_record is not the canonical form of record");
    },
    SLOW,
  );
});
