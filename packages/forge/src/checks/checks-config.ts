// A project's validation config, `.micelio/checks.yml` on trunk: named steps run in a
// sandbox, each with a category, weight, timeout and limits, and the minimum scores to land
// (aggregate and per category). Parsed with `yaml` (keeping positions, so every error names
// its line and column) and checked with zod; the JSON Schema published at
// /schemas/checks.json is generated from the same zod schema (checks-schema.ts).
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";

/** Where the config lives in a project's tree. */
export const CHECKS_PATH = ".micelio/checks.yml";
/** A config file larger than this is refused unread. */
export const MAX_CHECKS_BYTES = 64 * 1024;

export const CATEGORIES = ["test", "lint", "types", "style", "security", "performance"] as const;
export type Category = (typeof CATEGORIES)[number];
/** Built-in steps a project can use without writing a command. */
export const BUILTIN_STEPS = ["secret-scan", "dependency-audit"] as const;

const score = z.number().min(0).max(100);

const limits = z
  .object({
    cpus: z.number().positive().max(64).optional().describe("CPU cores the step may use"),
    memory_mb: z.number().int().min(16).max(65536).optional().describe("memory limit in MiB"),
    processes: z.number().int().min(1).max(4096).optional().describe("most processes at once"),
    disk_mb: z.number().int().min(1).max(65536).optional().describe("size of the ephemeral disk in MiB"),
  })
  .strict();

const stepName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    "letters, digits, '.', '_' and '-', at most 64, starting alphanumeric",
  );

const baseline = z
  .object({
    metric: stepName.describe("the `::metric NAME=VALUE` the step prints"),
    direction: z.enum(["higher", "lower"]).describe("which way is better"),
    tolerance: z.number().min(0).max(1000).default(10).describe("percent worse than trunk allowed"),
  })
  .strict();

const step = z
  .object({
    name: stepName,
    run: z.string().trim().min(1).max(4096).optional().describe("a shell command, run with /bin/sh -c"),
    uses: z.enum(BUILTIN_STEPS).optional().describe("a built-in step instead of a command"),
    category: z.enum(CATEGORIES).default("test"),
    timeout: z.number().int().min(1).max(3600).default(600).describe("seconds"),
    weight: z.number().min(0).max(100).default(1),
    limits: limits.optional(),
    baseline: baseline
      .optional()
      .describe("a performance step's metric, compared with trunk's last value of it"),
  })
  .strict()
  .refine((s) => (s.run === undefined) !== (s.uses === undefined), {
    message: "a step needs exactly one of `run` (a command) or `uses` (a built-in step)",
  })
  .refine((s) => s.baseline === undefined || (s.run !== undefined && s.category === "performance"), {
    message: "`baseline` belongs to a `run` step with `category: performance`",
    path: ["baseline"],
  });

export const checksConfigSchema = z
  .object({
    min_score: score.default(0).describe("aggregate score needed to land, 0-100"),
    min_scores: z
      .partialRecord(z.enum(CATEGORIES), score)
      .optional()
      .describe("score needed per category, 0-100"),
    image: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("the image for providers that run images (microVM)"),
    toolchain: z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/))
      .max(32)
      .optional()
      .describe("commands the steps need on the sandbox's PATH, checked before any step runs"),
    network: z.boolean().default(false).describe("network access for the run's steps (default: none)"),
    limits: limits.optional().describe("defaults for every step"),
    steps: z.array(step).min(1).max(50),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.steps.forEach((s, i) => {
      if (seen.has(s.name))
        ctx.addIssue({
          code: "custom",
          message: `two steps are named "${s.name}"`,
          path: ["steps", i, "name"],
        });
      seen.add(s.name);
    });
    for (const category of Object.keys(c.min_scores ?? {}))
      if (!c.steps.some((s) => s.category === category))
        ctx.addIssue({
          code: "custom",
          message: `min_scores names "${category}" but no step has that category`,
          path: ["min_scores", category],
        });
  });

export type ChecksConfig = z.infer<typeof checksConfigSchema>;
export type CheckStep = ChecksConfig["steps"][number];

export interface ConfigError {
  /** Where in the document, as a dotted path (`steps.0.run`), empty for the whole file. */
  path: string;
  line: number | null;
  column: number | null;
  message: string;
}

export type ParsedChecks = { ok: true; config: ChecksConfig } | { ok: false; errors: ConfigError[] };

/** The error of a file over MAX_CHECKS_BYTES, which is refused unread. */
export const TOO_LARGE: ConfigError = {
  path: "",
  line: null,
  column: null,
  message: `larger than ${MAX_CHECKS_BYTES / 1024} KiB`,
};

/** Parses and checks a checks.yml (text, or its bytes); never throws, whatever the input. */
export function parseChecksConfig(input: string | Buffer): ParsedChecks {
  const size = typeof input === "string" ? Buffer.byteLength(input) : input.length;
  if (size > MAX_CHECKS_BYTES) return fail([TOO_LARGE]);
  const text = typeof input === "string" ? input : input.toString("utf8");
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  if (doc.errors.length)
    return fail(
      doc.errors.slice(0, 10).map((e) => {
        const at = lines.linePos(e.pos[0]);
        return { path: "", line: at.line, column: at.col, message: e.message.split("\n")[0] ?? e.message };
      }),
    );
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return fail([{ path: "", line: null, column: null, message: (err as Error).message }]);
  }
  const checked = checksConfigSchema.safeParse(value ?? {});
  if (checked.success) return { ok: true, config: checked.data };
  return fail(
    checked.error.issues.slice(0, 20).map((issue) => {
      const key = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
      const at0 = issue.path as (string | number)[];
      const path = key === undefined ? at0 : [...at0, key];
      const node = key === undefined ? nodeAt(doc, path) : keyAt(doc, at0, key);
      const at = node === null ? null : lines.linePos(node);
      return {
        path: path.map(String).join("."),
        line: at?.line ?? null,
        column: at?.col ?? null,
        message: issue.message,
      };
    }),
  );
}

/** The offset of the deepest node along `path` that exists in the document. */
function nodeAt(doc: ReturnType<typeof parseDocument>, path: (string | number)[]): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return range[0];
    if (n > 0) {
      const key = keyAt(doc, path.slice(0, n - 1), path[n - 1]!);
      if (key !== null) return key;
    }
  }
  return null;
}

/** The offset of key `key` in the mapping at `path`, or null. */
function keyAt(
  doc: ReturnType<typeof parseDocument>,
  path: (string | number)[],
  key: string | number,
): number | null {
  const parent = path.length === 0 ? doc.contents : doc.getIn(path, true);
  type Pair = { key?: { value?: unknown; range?: [number, number, number] } };
  const items = (parent as { items?: Pair[] } | null)?.items;
  return items?.find((pair) => pair.key?.value === key)?.key?.range?.[0] ?? null;
}

function fail(errors: ConfigError[]): ParsedChecks {
  return { ok: false, errors };
}

/** One line per error, as a push refusal or a page shows them. */
export function formatConfigErrors(errors: ConfigError[]): string[] {
  return errors.map((e) => {
    const where = e.line === null ? CHECKS_PATH : `${CHECKS_PATH}:${e.line}:${e.column}`;
    return `${where}: ${e.path ? `${e.path}: ` : ""}${e.message}`;
  });
}
