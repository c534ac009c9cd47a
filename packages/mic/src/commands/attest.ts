// Contribution attestation (docs/trust.md, "Contribution attestation"): `mic key create` makes
// an Ed25519 key pair, keeps the private key in mic's config directory (0600) and registers the
// public key on your account; `mic land` then signs the session's content with it. `mic session
// attestation ID` fetches a landed session's attestation (checked against the forge's published
// key); `mic verify FILE` checks a saved one offline, with nothing but the file.
import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Attestation, verifyAttestation } from "@micelio/core";
import type { Command } from "commander";
import { request } from "../client.ts";
import { type Connection, connection, parseProject, projectPath } from "../context.ts";
import { configDir } from "../credentials.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { print } from "../output.ts";
import { findWorkspace } from "../workspace.ts";

const keyPath = () => join(configDir(), "signing-key.pem");
const keyInfoPath = () => join(configDir(), "signing-key.json");

interface KeyInfo {
  key_id: string;
  server: string;
}

/** The signing key registered on `server`, if mic made one there. */
function signingKey(server: string) {
  if (!existsSync(keyPath()) || !existsSync(keyInfoPath())) return null;
  const info = JSON.parse(readFileSync(keyInfoPath(), "utf8")) as KeyInfo;
  if (info.server.replace(/\/+$/, "") !== server.replace(/\/+$/, "")) return null;
  return { ...info, privateKey: createPrivateKey(readFileSync(keyPath(), "utf8")) };
}

/**
 * The land body that signs the session's content, when a key is set up for this server: the
 * forge's signing payload, checked to name the tree mic uploaded, signed. Null without a key.
 */
export async function landSignature(conn: Connection, sessionPath: string, tree: string) {
  const key = signingKey(conn.server);
  if (!key) return null;
  const { payload, canonical } = await request<{ payload: { tree: string | null }; canonical: string }>(
    conn,
    "GET",
    `${sessionPath}/signing-payload`,
  );
  if (payload.tree !== tree)
    throw new CliError(
      `the forge's copy of the session has tree ${payload.tree}, not the uploaded ${tree}: not signing it`,
      EXIT.refused,
    );
  return {
    signature: {
      key_id: key.key_id,
      signature: sign(null, Buffer.from(canonical), key.privateKey).toString("base64"),
    },
  };
}

function explain(a: Attestation, problems: string[]) {
  const r = a.record as Record<string, unknown>;
  const lines = [
    `Session ${r.session} of ${r.project}: ${r.origin}, landed at position ${r.landed_position} (${r.landed_commit})`,
    `Generated ${r.generated_at ?? "(not declared)"}, submitted ${r.submitted_at ?? "?"}${r.stale ? " — stale output" : ""}`,
    `Forge key ${a.forge_signature?.key_id}; author signature: ${a.agent_signature ? a.agent_signature.key_id : "none"}`,
  ];
  return [...lines, problems.length ? `NOT VERIFIED:\n  ${problems.join("\n  ")}` : "Verified."].join("\n");
}

export function registerAttest(program: Command) {
  const key = program.command("key").description("the Ed25519 key mic signs session content with");
  key
    .command("create")
    .description(
      "make a key pair, keep the private key here (0600) and register the public key on your account",
    )
    .option("--name <name>", "what to call the key on the forge", "mic")
    .action(async (opts: { name: string }) => {
      const conn = connection(program, (await findWorkspace())?.state.server);
      if (existsSync(keyPath()))
        throw new CliError(
          `a signing key exists already (${keyPath()}); remove it to make another`,
          EXIT.usage,
        );
      const { privateKey, publicKey } = generateKeyPairSync("ed25519");
      const registered = await request<{ id: string }>(conn, "POST", "/api/v1/user/signing-keys", {
        name: opts.name,
        public_key: publicKey.export({ type: "spki", format: "pem" }).toString(),
      });
      mkdirSync(configDir(), { recursive: true, mode: 0o700 });
      writeFileSync(keyPath(), privateKey.export({ type: "pkcs8", format: "pem" }).toString(), {
        mode: 0o600,
      });
      chmodSync(keyPath(), 0o600);
      writeFileSync(
        keyInfoPath(),
        `${JSON.stringify({ key_id: registered.id, server: conn.server }, null, 2)}\n`,
      );
      print(
        program,
        { key_id: registered.id, path: keyPath() },
        `Registered ${registered.id}; mic land signs with it from now on (private key: ${keyPath()})`,
      );
    });

  program
    .command("verify")
    .description(
      "check a saved attestation offline: both signatures and that they cover its record and content",
    )
    .argument("<file>", "an attestation as GET …/sessions/{id}/attestation answers it")
    .option(
      "--forge-key <id>",
      "also require the forge's key id to be this one (GET /api/v1/attestation-key)",
    )
    .action((file: string, opts: { forgeKey?: string }) => {
      let a: Attestation;
      try {
        a = JSON.parse(readFileSync(file, "utf8")) as Attestation;
      } catch (err) {
        throw new CliError(`cannot read ${file}: ${(err as Error).message}`, EXIT.usage);
      }
      const result = verifyAttestation(a, opts.forgeKey);
      if (!result.ok)
        throw new CliError(`attestation does not verify: ${result.problems.join("; ")}`, EXIT.refused, {
          ...result,
        });
      print(program, result, explain(a, []));
    });
}

/** `mic session attestation ID`: the attestation, checked against the forge's published key. */
export function registerSessionAttestation(session: Command, program: Command) {
  session
    .command("attestation")
    .description("a landed session's signed attestation (save it with --output, check it with mic verify)")
    .argument("<session>", "the session id")
    .option("--project <owner/project>", "the project (default: the checkout's)")
    .option("-o, --output <file>", "write the attestation to this file")
    .action(async (id: string, opts: { project?: string; output?: string }) => {
      const ws = opts.project ? null : await findWorkspace();
      if (!opts.project && !ws)
        throw new CliError("give --project OWNER/PROJECT or run inside a mic checkout", EXIT.usage);
      const project = opts.project
        ? parseProject(opts.project)
        : { owner: ws!.state.owner, project: ws!.state.project };
      const conn = connection(program, ws?.state.server);
      const a = await request<Attestation>(
        conn,
        "GET",
        `${projectPath(project)}/sessions/${encodeURIComponent(id)}/attestation`,
      );
      const published = await request<{ key_id: string }>(conn, "GET", "/api/v1/attestation-key");
      const result = verifyAttestation(a, published.key_id);
      if (opts.output) writeFileSync(opts.output, `${JSON.stringify(a, null, 2)}\n`);
      if (!result.ok)
        throw new CliError(`attestation does not verify: ${result.problems.join("; ")}`, EXIT.refused, {
          ...result,
        });
      print(program, a, explain(a, []) + (opts.output ? `\nSaved to ${opts.output}` : ""));
    });
}
