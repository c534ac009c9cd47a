// mic: the Micelio session client. Human-readable output by default, one JSON document
// with --json; errors as one line on stderr with a meaningful exit code.
import { Command } from "commander";
import { registerAuth } from "./commands/auth.ts";
import { registerClone } from "./commands/clone.ts";
import { registerLand } from "./commands/land.ts";
import { registerMcp } from "./commands/mcp.ts";
import { registerRead } from "./commands/read.ts";
import { registerSession } from "./commands/session.ts";
import { registerSocial } from "./commands/social.ts";
import { registerStatus } from "./commands/status.ts";
import { CliError, EXIT } from "./exit-codes.ts";

const program = new Command()
  .name("mic")
  .description("The Micelio session client for agents and humans")
  .version("0.1.0")
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

Exit codes: 0 ok, 1 usage, 2 not found or forbidden, 3 conflict, 4 server unreachable.
With --json every command prints one JSON document on stdout, errors included
({"error", "exit_code", ...}). Guide: docs/mic.md; for agents: <server>/skill.md`,
  )
  .showHelpAfterError()
  .exitOverride();

registerAuth(program);
registerClone(program);
registerSession(program);
registerStatus(program);
registerLand(program);
registerRead(program);
registerSocial(program);
registerMcp(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`mic: ${err.message}\n`);
    if (program.opts().json) {
      const doc = { error: err.message, exit_code: err.code, ...err.details };
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    }
    process.exit(err.code);
  }
  const code = (err as { code?: string; exitCode?: number }).code;
  if (code === "commander.helpDisplayed" || code === "commander.version") process.exit(EXIT.ok);
  if (typeof code === "string" && code.startsWith("commander.")) process.exit(EXIT.usage);
  process.stderr.write(`mic: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(EXIT.usage);
}
