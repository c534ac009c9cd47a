// `mic session start`'s prompt request options: the prompt (text, a file or stdin, or
// $MIC_PROMPT_FILE), the system prompt, the environment as KEY=VALUE pairs, cost, execution
// time, the session it revises and the template it used — as the forge's `prompt` body.
import { readFileSync } from "node:fs";
import { CliError, EXIT } from "./exit-codes.ts";

export interface PromptOptions {
  prompt?: string;
  promptFile?: string;
  systemPromptFile?: string;
  env: string[];
  cost?: string;
  executionMs?: string;
  revises?: string;
  template?: string;
}

/** commander's collector for repeatable options. */
export const collect = (value: string, previous: string[]) => [...previous, value];

/** A file's text ("-": stdin), or a usage error naming the file. */
export function readText(path: string) {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`, EXIT.usage);
  }
}

export function integer(value: string, option: string) {
  if (!/^\d+$/.test(value)) throw new CliError(`${option} takes a whole number, not "${value}"`, EXIT.usage);
  return Number(value);
}

/** An environment value: numbers and booleans as such, anything else as text. */
function envValue(v: string): string | number | boolean {
  if (v === "true" || v === "false") return v === "true";
  return /^-?\d+(\.\d+)?$/.test(v) && Number.isFinite(Number(v)) ? Number(v) : v;
}

/** The `prompt` of the create body, or undefined when no prompt was given. */
export function promptRequest(opts: PromptOptions, env: NodeJS.ProcessEnv = process.env) {
  if (opts.prompt !== undefined && opts.promptFile !== undefined)
    throw new CliError("give --prompt or --prompt-file, not both", EXIT.usage);
  const file = opts.promptFile ?? (opts.prompt === undefined ? env.MIC_PROMPT_FILE : undefined);
  const text = opts.prompt ?? (file ? readText(file) : undefined);
  if (text === undefined) return undefined;
  const environment: Record<string, string | number | boolean> = {};
  for (const pair of opts.env) {
    const eq = pair.indexOf("=");
    if (eq < 1) throw new CliError(`--env takes KEY=VALUE, not "${pair}"`, EXIT.usage);
    environment[pair.slice(0, eq)] = envValue(pair.slice(eq + 1));
  }
  const cost = opts.cost === undefined ? undefined : Number(opts.cost);
  if (cost !== undefined && !(Number.isFinite(cost) && cost >= 0))
    throw new CliError(`--cost takes an amount in USD, not "${opts.cost}"`, EXIT.usage);
  return {
    text,
    ...(opts.systemPromptFile ? { system: readText(opts.systemPromptFile) } : {}),
    ...(opts.env.length ? { environment } : {}),
    ...(cost !== undefined ? { cost_usd: cost } : {}),
    ...(opts.executionMs !== undefined ? { execution_ms: integer(opts.executionMs, "--execution-ms") } : {}),
    ...(opts.revises ? { revises: opts.revises } : {}),
    ...(opts.template ? { template: opts.template } : {}),
  };
}
