// Not-found errors that name their subject: which project on which server, which path at
// which ref, which session or position; and what to do next. The forge's 404 says only
// "Project not found" or "No such file"; an agent reading mic's stderr (or the --json
// document, which keeps the problem's fields and adds project, server, path and ref) needs
// to know what was looked for, and where.
import type { Connection } from "./context.ts";
import { CliError } from "./exit-codes.ts";

export interface Subject {
  conn: Connection;
  project: { owner: string; project: string };
  /** A file or directory path in the project. */
  path?: string;
  /** The ref as the user gave it (a position, branch, tag or commit), for messages. */
  ref?: string;
  /** A session id. */
  session?: string;
}

const is404 = (err: unknown): err is CliError =>
  err instanceof CliError && (err.details as { status?: number }).status === 404;

/** The message and next step for a 404 about `s`, given the forge's problem detail. */
export function notFoundMessage(s: Subject, detail: string): string {
  const name = `${s.project.owner}/${s.project.project}`;
  const where = `${name} on ${s.conn.server}`;
  const flag = `--project ${name}`;
  if (/project not found/i.test(detail)) {
    const access = s.conn.token
      ? "or ask its owner for access if it is private"
      : `or log in (mic auth login --server ${s.conn.server}) if it is private`;
    return `project ${name} not found on ${s.conn.server}: check the name (mic search ${s.project.project}), ${access}`;
  }
  if (/branch, tag or commit/i.test(detail))
    return `no branch, tag or commit "${s.ref}" in ${where}: give --at a trunk position (see mic log ${flag}), a branch or a tag`;
  if (s.session && /session/i.test(detail))
    return `session ${s.session} not found in ${where}: mic log ${flag} lists the landed ones`;
  if (s.path !== undefined) {
    const dir = s.path.includes("/") ? `${s.path.replace(/\/[^/]*$/, "")} ` : "";
    return `${s.path || "/"} not found at ${s.ref ?? "HEAD"} in ${where}: list the files with mic ls ${dir}${flag}${s.ref ? ` --at ${s.ref}` : ""}`;
  }
  return `${detail} (${where})`;
}

/** Runs `call`; a 404 it raises is rethrown naming `s`, with the same exit code. */
export async function naming<T>(s: Subject, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!is404(err)) throw err;
    const detail = String((err.details as { detail?: unknown }).detail ?? err.message);
    throw new CliError(notFoundMessage(s, detail), err.code, {
      ...err.details,
      project: `${s.project.owner}/${s.project.project}`,
      server: s.conn.server,
      ...(s.path !== undefined ? { path: s.path } : {}),
      ...(s.ref !== undefined ? { ref: s.ref } : {}),
      ...(s.session !== undefined ? { session: s.session } : {}),
    });
  }
}
