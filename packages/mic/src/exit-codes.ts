// mic's exit codes, stable for scripts and agents.
export const EXIT = { ok: 0, usage: 1, notFound: 2, conflict: 3, unreachable: 4 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}
