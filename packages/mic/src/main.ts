// mic: the Micelio session client. Human-readable output by default, one JSON document
// with --json; errors as one line on stderr with a meaningful exit code.
import { Command } from "commander";
import pkg from "../package.json" with { type: "json" };
import { registerAttest } from "./commands/attest.ts";
import { registerAuth } from "./commands/auth.ts";
import { registerClone } from "./commands/clone.ts";
import { registerLand } from "./commands/land.ts";
import { registerMaintain } from "./commands/maintain.ts";
import { registerMcp } from "./commands/mcp.ts";
import { registerMount } from "./commands/mount.ts";
import { registerPrompts } from "./commands/prompts.ts";
import { registerRead } from "./commands/read.ts";
import { registerSession } from "./commands/session.ts";
import { registerSocial } from "./commands/social.ts";
import { registerStatus } from "./commands/status.ts";
import { registerSync } from "./commands/sync.ts";
import { CliError, EXIT } from "./exit-codes.ts";

// --json is read from the arguments themselves: commander's own errors (unknown commands and
// options, missing arguments), --version and help happen before the options are parsed.
const wantsJson = process.argv.slice(2).includes("--json");
let commanderOut = "";
let commanderErr = "";

const program = new Command()
  .name("mic")
  .description("The Micelio session client for agents and humans")
  .version(pkg.version)
  .option("--json", "print one JSON document instead of human-readable output")
  .option("--server <url>", "the forge to talk to (default: $MIC_SERVER or the logged-in server)")
  .addHelpText(
    "after",
    `
Environment:
  MIC_SERVER            the forge to talk to (instead of --server)
  MIC_TOKEN             a personal access token (instead of the stored one)
  MIC_CONFIG_DIR        where credentials are kept (default: $XDG_CONFIG_HOME/micelio)
  MIC_AGENT, MIC_MODEL  the agent and model that session start records
  MIC_TRACE             when set, time each git process and HTTP call on stderr
  MIC_CACHE_DIR         mic mount's content cache and mount state (default: $XDG_CACHE_HOME/micelio)
  MIC_CACHE_BYTES       the content cache's cap (default 1 GiB)

Exit codes: 0 ok, 1 usage, 2 not found, forbidden or not logged in, 3 conflict (mic sync
helps), 4 server unreachable, 5 review pending, 6 session closed on the server, 7 refused
by the forge (secrets, size, an invalid value), 8 validation failed.
With --json every command prints one JSON document on stdout, errors included
({"error", "exit_code", ...}). Guide: docs/mic.md; for agents: <server>/skill.md`,
  )
  .showHelpAfterError()
  .configureOutput({
    writeOut: (text) => {
      if (wantsJson) commanderOut += text;
      else process.stdout.write(text);
    },
    writeErr: (text) => {
      if (wantsJson) commanderErr += text;
      else process.stderr.write(text);
    },
  })
  .exitOverride();

registerAuth(program);
registerClone(program);
registerSession(program);
registerStatus(program);
registerLand(program);
registerSync(program);
registerRead(program);
registerPrompts(program);
registerSocial(program);
registerMaintain(program);
registerMcp(program);
registerAttest(program);
registerMount(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const { code, details } = failure(err);
  if (code !== EXIT.ok) {
    // Without --json, commander has already said its own errors (with the usage).
    if (wantsJson || !details.commander) process.stderr.write(`mic: ${details.error}\n`);
    if (wantsJson) process.stdout.write(`${JSON.stringify({ ...details, exit_code: code }, null, 2)}\n`);
  } else if (wantsJson) process.stdout.write(`${JSON.stringify(details, null, 2)}\n`);
  process.exit(code);
}

/** An error (or commander's help and version) as an exit code and the --json document. */
function failure(err: unknown): { code: number; details: Record<string, unknown> } {
  if (err instanceof CliError) return { code: err.code, details: { error: err.message, ...err.details } };
  const code = (err as { code?: unknown }).code;
  if (code === "commander.version") return { code: EXIT.ok, details: { version: program.version() } };
  if (code === "commander.helpDisplayed" || code === "commander.help") {
    // `mic` alone prints help and fails; `mic help` and `--help` succeed.
    const alone = code === "commander.help" && (err as { exitCode?: number }).exitCode !== 0;
    const help = commanderOut || commanderErr;
    if (alone) return { code: EXIT.usage, details: { error: "no command given", commander: "help", help } };
    return { code: EXIT.ok, details: { help } };
  }
  const message = (err instanceof Error ? err.message : String(err)).replace(/^error:\s*/, "");
  if (typeof code === "string" && code.startsWith("commander."))
    return { code: EXIT.usage, details: { error: message, commander: code.slice("commander.".length) } };
  return { code: EXIT.usage, details: { error: message } };
}
