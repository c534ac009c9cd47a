// mic's exit codes, stable for scripts and agents.
export const EXIT = { ok: 0, usage: 1, notFound: 2, conflict: 3, unreachable: 4 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
    /** Extra fields for the --json error document (e.g. the forge's problem details). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
