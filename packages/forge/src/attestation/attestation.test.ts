// AI contribution transparency end to end: every session has an origin (an agent's work is
// AI-generated unless declared), shown on the list and the page; generation against submission
// time with the stale flag; the author's signature over the content checked at land; the
// forge's signed landing record, verifiable offline (verifyAttestation and openssl), failing
// on any changed field; and a private project's attestation hidden from anonymous and others.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Attestation, canonicalBytes, type Json, verifyAttestation } from "@micelio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { runGit } from "../testing/git.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const HOUR = 3_600_000;

describe("contribution transparency and attestation", () => {
  let f: TestForge;
  const tok: Record<string, string> = {};
  let agentKey: { id: string; privateKey: KeyObject };

  const open = async (project: string, body: object, who = "ada") => {
    const r = await api(f.url, "POST", `/api/v1/projects/${project}/sessions`, {
      token: tok[who],
      json: body,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; origin: string };
  };
  const change = async (project: string, id: string, files: Record<string, string>, who = "ada") => {
    const changes = Object.entries(files).map(([path, text]) => ({ path, content: b64(text) }));
    const r = await api(f.url, "PUT", `/api/v1/projects/${project}/sessions/${id}/changes`, {
      token: tok[who],
      json: { changes },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  const land = (project: string, id: string, json?: unknown, who = "ada") =>
    api(f.url, "POST", `/api/v1/projects/${project}/sessions/${id}/land`, { token: tok[who], json });
  const attestationOf = (project: string, id: string, who?: string) =>
    api<Attestation>(f.url, "GET", `/api/v1/projects/${project}/sessions/${id}/attestation`, {
      token: who ? tok[who] : undefined,
    });

  beforeAll(async () => {
    f = await startTestForge();
    for (const who of ["ada", "mia", "otto"]) tok[who] = (await userWithToken(f.url, who)).token;
    expect(
      (await api(f.url, "POST", "/api/v1/orgs", { token: tok.ada, json: { handle: "acme" } })).status,
    ).toBe(201);
    const member = await api(f.url, "PUT", "/api/v1/orgs/acme/members/mia", {
      token: tok.ada,
      json: { role: "member" },
    });
    expect(member.status).toBe(200);
    const create = (json: unknown) => api(f.url, "POST", "/api/v1/projects", { token: tok.ada, json });
    expect((await create({ handle: "demo" })).status).toBe(201);
    expect((await create({ handle: "vault", owner: "acme", visibility: "private" })).status).toBe(201);
    for (const p of ["ada/demo", "acme/vault"]) {
      const off = await api(f.url, "PUT", `/api/v1/projects/${p}/agent-policy`, {
        token: tok.ada,
        json: { strictness: "off" },
      });
      expect(off.status, JSON.stringify(off.body)).toBe(200);
    }
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const added = await api(f.url, "POST", "/api/v1/user/signing-keys", {
      token: tok.ada,
      json: {
        name: "laptop agent",
        public_key: publicKey.export({ type: "spki", format: "pem" }).toString(),
      },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.id).toMatch(/^ed25519:[0-9a-f]{32}$/);
    agentKey = { id: added.body.id, privateKey };
  }, 60_000);
  afterAll(async () => {
    await f.close();
  });

  it("gives every session an origin: declared, else AI-generated for an agent and human for a person", async () => {
    const agent = { name: "claude-code", model: "opus", version: "1" };
    const human = await open("ada/demo", { goal: "By hand" });
    const ai = await open("ada/demo", { goal: "By an agent", agent, prompt: { text: "do it" } });
    const assisted = await open("ada/demo", {
      goal: "Together",
      agent,
      origin: "ai-assisted",
      prompt: { text: "help" },
    });
    expect([human.origin, ai.origin, assisted.origin]).toEqual(["human", "ai-generated", "ai-assisted"]);
    const listed = await api(f.url, "GET", "/api/v1/projects/ada/demo/sessions", { token: tok.ada });
    for (const s of listed.body) expect(["human", "ai-generated", "ai-assisted"]).toContain(s.origin);
    const page = await (await fetch(`${f.url}/ada/demo/sessions`)).text();
    for (const label of ["Human", "AI-generated", "AI-assisted"]) expect(page).toContain(`>${label}</span>`);
    const one = await (await fetch(`${f.url}/ada/demo/sessions/${ai.id}`)).text();
    expect(one).toContain('class="badge origin origin-ai-generated"');
  });

  it("shows generation against submission time and flags an output submitted a day late as stale", async () => {
    const old = new Date(Date.now() - 30 * HOUR).toISOString();
    const late = await open("ada/demo", { goal: "Old output", generated_at: old });
    await change("ada/demo", late.id, { "late.txt": "late\n" });
    const fresh = await open("ada/demo", { goal: "Fresh output" });
    await change("ada/demo", fresh.id, { "fresh.txt": "fresh\n" });
    const landedLate = await land("ada/demo", late.id);
    expect(landedLate.status, JSON.stringify(landedLate.body)).toBe(200);
    const landedFresh = await land("ada/demo", fresh.id, {
      generated_at: new Date(Date.now() - HOUR).toISOString(),
    });
    expect(landedFresh.status, JSON.stringify(landedFresh.body)).toBe(200);
    const s = landedLate.body.session;
    expect(s.generated_at).toBe(old);
    expect(Date.parse(s.submitted_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(s).toMatchObject({ stale: true, threshold_hours: 24 });
    expect(s.gap_seconds).toBeGreaterThan(24 * 3600);
    expect(landedFresh.body.session).toMatchObject({ stale: false });
    expect(landedFresh.body.session.gap_seconds).toBeGreaterThanOrEqual(3599);
    const page = await (await fetch(`${f.url}/ada/demo/sessions/${late.id}`)).text();
    expect(page).toContain("stale output");
    expect(page).toContain("after generation");
    const freshPage = await (await fetch(`${f.url}/ada/demo/sessions/${fresh.id}`)).text();
    expect(freshPage).not.toContain("stale output");
    const list = await (await fetch(`${f.url}/ada/demo/sessions`)).text();
    expect(list.match(/stale output/g)).toHaveLength(1);
    // Not declared: the conversation's last event stands for the generation time.
    const talk = await open("ada/demo", { goal: "Talked" });
    const ev = await api(f.url, "POST", `/api/v1/projects/ada/demo/sessions/${talk.id}/events`, {
      token: tok.ada,
      json: { events: [{ kind: "output", text: "done" }] },
    });
    expect(ev.status).toBe(201);
    await change("ada/demo", talk.id, { "talk.txt": "t\n" });
    const talked = await land("ada/demo", talk.id);
    expect(talked.body.session.generated_at).not.toBeNull();
    expect(talked.body.session.stale).toBe(false);
  });

  it("marks stale landings on the activity page and in the log, and pushed commits' origin", async () => {
    const log = await api(f.url, "GET", "/api/v1/projects/ada/demo/landings", { token: tok.ada });
    const byGoal = new Map(log.body.map((l: { goal: string; stale: boolean }) => [l.goal, l.stale]));
    expect([byGoal.get("Old output"), byGoal.get("Fresh output")]).toEqual([true, false]);
    const activity = await (await fetch(`${f.url}/ada/demo/activity`)).text();
    expect(activity.match(/stale output/g)).toHaveLength(1);
    expect(activity).not.toContain("Origin unknown");
    expect(
      (await api(f.url, "POST", "/api/v1/projects", { token: tok.ada, json: { handle: "pushed" } })).status,
    ).toBe(201);
    const dir = mkdtempSync(join(tmpdir(), "attest-push-"));
    try {
      await runGit(dir, "init", "-q", "-b", "main");
      writeFileSync(join(dir, "a.txt"), "a\n");
      await runGit(dir, "add", "a.txt");
      await runGit(dir, "commit", "-q", "-m", "pushed");
      await runGit(
        dir,
        "push",
        "-q",
        `${f.url.replace("http://", `http://ada:${tok.ada}@`)}/ada/pushed.git`,
        "main",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // A commit pushed to trunk lands through a session of its own: a person's, so human.
    const pushed = await (await fetch(`${f.url}/ada/pushed/activity`)).text();
    expect(pushed).toContain('class="badge origin origin-human"');
    const pushedLog = await api(f.url, "GET", "/api/v1/projects/ada/pushed/landings");
    expect(pushedLog.body[0]).toMatchObject({ goal: "pushed", origin: "human", stale: false });
  });

  it("refuses a generation time in the future", async () => {
    const r = await api(f.url, "POST", "/api/v1/projects/ada/demo/sessions", {
      token: tok.ada,
      json: { goal: "From the future", generated_at: new Date(Date.now() + 10 * 60_000).toISOString() },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.field ?? r.body.detail).toMatch(/generated_at/);
  });

  /** Opens an agent session with a change, signs its payload and lands it. */
  async function signedLanding(project: string, file = "signed.txt") {
    const s = await open(project, {
      goal: "Signed work",
      agent: { name: "claude-code", model: "opus", version: "4" },
      prompt: { text: "write the file" },
    });
    await change(project, s.id, { [file]: "signed\n" });
    const generated_at = new Date(Date.now() - 5 * 60_000).toISOString();
    const payload = await api(
      f.url,
      "GET",
      `/api/v1/projects/${project}/sessions/${s.id}/signing-payload?generated_at=${encodeURIComponent(generated_at)}`,
      { token: tok.ada },
    );
    expect(payload.status, JSON.stringify(payload.body)).toBe(200);
    expect(payload.body.payload.tree).toMatch(/^[0-9a-f]{40}$/);
    expect(payload.body.canonical).toBe(canonicalBytes(payload.body.payload).toString());
    const signature = sign(null, Buffer.from(payload.body.canonical), agentKey.privateKey).toString("base64");
    const landed = await land(project, s.id, { generated_at, signature: { key_id: agentKey.id, signature } });
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    return { id: s.id, landed: landed.body };
  }

  it("refuses a land whose content signature does not verify, landing nothing", async () => {
    const s = await open("ada/demo", { goal: "Forged" });
    await change("ada/demo", s.id, { "forged.txt": "x\n" });
    const bad = sign(null, Buffer.from("something else"), agentKey.privateKey).toString("base64");
    const r = await land("ada/demo", s.id, { signature: { key_id: agentKey.id, signature: bad } });
    expect(r.status).toBe(400);
    const unknown = await land("ada/demo", s.id, { signature: { key_id: "ed25519:00", signature: bad } });
    expect(unknown.status).toBe(400);
    const after = await api(f.url, "GET", `/api/v1/projects/ada/demo/sessions/${s.id}`, { token: tok.ada });
    expect(after.body.status).toBe("open");
    expect((await attestationOf("ada/demo", s.id)).status).toBe(409);
  });

  it("attests a landing with the forge's published key and the author's signature, verifiable offline", async () => {
    const { id, landed } = await signedLanding("ada/demo");
    const got = await attestationOf("ada/demo", id);
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    const a = got.body;
    const published = await api(f.url, "GET", "/api/v1/attestation-key");
    expect(published.body.algorithm).toBe("Ed25519");
    expect(a.forge_signature.public_key).toBe(published.body.public_key);
    expect(verifyAttestation(a, published.body.key_id)).toMatchObject({ ok: true, agent_key: agentKey.id });
    expect(a.record).toMatchObject({
      session: id,
      project: "ada/demo",
      origin: "ai-generated",
      landed_commit: landed.commit,
      landed_position: landed.position,
      landed_tree: landed.tree,
      agent: { name: "claude-code", model: "opus", version: "4" },
      stale: false,
    });
    expect(a.content).toMatchObject({ session: id, generated_at: a.record.generated_at });
    // The same record signs to the same bytes every time (Ed25519 is deterministic).
    expect((await attestationOf("ada/demo", id)).body.forge_signature.signature).toBe(
      a.forge_signature.signature,
    );
    // Any changed field of the record fails, even with signed_record recomputed to match.
    for (const [key, value] of Object.entries(a.record)) {
      const changed = structuredClone(a);
      changed.record[key] = typeof value === "number" ? value + 1 : typeof value === "boolean" ? !value : "x";
      changed.signed_record = canonicalBytes(changed.record as Json).toString("base64");
      expect(verifyAttestation(changed).ok, `record.${key}`).toBe(false);
    }
    for (const key of Object.keys(a.content)) {
      const changed = structuredClone(a);
      changed.content[key] = "x";
      changed.signed_content = canonicalBytes(changed.content as Json).toString("base64");
      expect(verifyAttestation(changed).ok, `content.${key}`).toBe(false);
    }
    const page = await (await fetch(`${f.url}/ada/demo/sessions/${id}`)).text();
    expect(page).toContain("content signed by its author");
    // The forge's private key is kept sealed with the instance secret key, never in clear.
    const stored = await f.forge.db
      .selectFrom("instance_settings")
      .select("value")
      .where("key", "=", "attestation_signing_key")
      .executeTakeFirstOrThrow();
    expect(stored.value).toMatch(/^enc:v1:[0-9a-f]{8}:/);
    expect(stored.value).not.toContain("PRIVATE KEY");
    expect(f.forge.secrets.open(stored.value)).toContain("BEGIN PRIVATE KEY");
  });

  it("verifies with the documented openssl recipe", async (ctx) => {
    if (!existsSync("/usr/bin/openssl")) ctx.skip();
    const { id } = await signedLanding("ada/demo", "openssl.txt");
    const a = (await attestationOf("ada/demo", id)).body;
    const dir = mkdtempSync(join(tmpdir(), "attest-"));
    try {
      writeFileSync(join(dir, "forge.pub"), a.forge_signature.public_key);
      writeFileSync(join(dir, "record.json"), Buffer.from(a.signed_record, "base64"));
      writeFileSync(join(dir, "record.sig"), Buffer.from(a.forge_signature.signature, "base64"));
      const verify = (file: string, key = "forge.pub", sig = "record.sig") =>
        execFileSync(
          "openssl",
          ["pkeyutl", "-verify", "-pubin", "-inkey", key, "-rawin", "-in", file, "-sigfile", sig],
          { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
        );
      expect(verify("record.json")).toContain("Signature Verified Successfully");
      writeFileSync(
        join(dir, "tampered.json"),
        Buffer.from(a.signed_record, "base64").toString().replace('"stale":false', '"stale":true'),
      );
      expect(() => verify("tampered.json")).toThrow();
      // The author's signature over the content, and the content's digest in the record.
      writeFileSync(join(dir, "agent.pub"), a.agent_signature!.public_key);
      writeFileSync(join(dir, "content.json"), Buffer.from(a.signed_content, "base64"));
      writeFileSync(join(dir, "content.sig"), Buffer.from(a.agent_signature!.signature, "base64"));
      expect(verify("content.json", "agent.pub", "content.sig")).toContain("Signature Verified Successfully");
      expect(() => verify("content.json", "forge.pub", "content.sig")).toThrow();
      const digest = execFileSync("openssl", ["dgst", "-sha256", "-r", "content.json"], {
        cwd: dir,
        encoding: "utf8",
      });
      expect(digest.split(" ")[0]).toBe(a.record.content_sha256);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hides a private project's attestation from anonymous visitors and other users", async () => {
    const s = await open("acme/vault", { goal: "Secret work" });
    await change("acme/vault", s.id, { "secret.txt": "s\n" });
    expect((await land("acme/vault", s.id)).status).toBe(200);
    expect((await attestationOf("acme/vault", s.id)).status).toBe(404);
    expect((await attestationOf("acme/vault", s.id, "otto")).status).toBe(404);
    const payload = await api(f.url, "GET", `/api/v1/projects/acme/vault/sessions/${s.id}/signing-payload`, {
      token: tok.otto,
    });
    expect(payload.status).toBe(404);
    const member = await attestationOf("acme/vault", s.id, "mia");
    expect(member.status).toBe(200);
    expect(verifyAttestation(member.body).ok).toBe(true);
  });

  it("lets only the owner register and revoke keys; a revoked key signs nothing new", async () => {
    const listed = await api(f.url, "GET", "/api/v1/user/signing-keys", { token: tok.otto });
    expect(listed.body).toEqual([]);
    expect(
      (await api(f.url, "DELETE", `/api/v1/user/signing-keys/${agentKey.id}`, { token: tok.otto })).status,
    ).toBe(404);
    const dup = await api(f.url, "POST", "/api/v1/user/signing-keys", {
      token: tok.otto,
      json: {
        name: "copy",
        public_key: (await api(f.url, "GET", "/api/v1/user/signing-keys", { token: tok.ada })).body[0]
          .public_key,
      },
    });
    expect(dup.status).toBe(409);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({
      type: "spki",
      format: "pem",
    });
    const wrong = await api(f.url, "POST", "/api/v1/user/signing-keys", {
      token: tok.otto,
      json: { name: "rsa", public_key: rsa },
    });
    expect(wrong.status).toBe(400);
    const revoked = await api(f.url, "DELETE", `/api/v1/user/signing-keys/${agentKey.id}`, {
      token: tok.ada,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    const s = await open("ada/demo", { goal: "After revoking" });
    await change("ada/demo", s.id, { "after.txt": "a\n" });
    const payload = await api(f.url, "GET", `/api/v1/projects/ada/demo/sessions/${s.id}/signing-payload`, {
      token: tok.ada,
    });
    const signature = sign(null, Buffer.from(payload.body.canonical), agentKey.privateKey).toString("base64");
    expect((await land("ada/demo", s.id, { signature: { key_id: agentKey.id, signature } })).status).toBe(
      400,
    );
    const audit = await f.forge.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "like", "signing_key.%")
      .execute();
    expect(audit.map((r) => r.action).sort()).toEqual(["signing_key.add", "signing_key.revoke"]);
  });
});
