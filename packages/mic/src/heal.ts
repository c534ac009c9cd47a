// Heals a checkout whose session was closed on the server (landed, abandoned or rejected
// elsewhere): the local session in .git/mic/state.json is cleared, the working tree is left as
// it is, and mic says what happened (exit 6, or carries on where the command can).
import { request } from "./client.ts";
import { type Connection, projectPath } from "./context.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { saveState, type Workspace } from "./workspace.ts";

/** The server's status of the checkout's session ("open", "landed", …), or null when unknown. */
export async function serverStatus(ws: Workspace, conn: Connection): Promise<string | null> {
  const s = ws.state.session;
  if (!s) return null;
  const info = await request<{ status?: string }>(
    conn,
    "GET",
    `${projectPath(ws.state)}/sessions/${s.id}`,
  ).catch((err) => {
    if (err instanceof CliError && err.code === EXIT.notFound) return { status: "gone" };
    throw err;
  });
  return info.status ?? null;
}

/** Clears the local session; the sentence that says so. */
export function clearClosed(ws: Workspace, status: string): string {
  const s = ws.state.session!;
  delete ws.state.session;
  saveState(ws.gitDir, ws.state);
  return `session ${s.id} ("${s.goal}") is ${status} on the server; it is cleared from this checkout (your working tree is as it was)`;
}

/** Runs `step`; when the forge says the session is closed, heals the checkout and exits 6. */
export async function healing<T>(ws: Workspace, conn: Connection, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (!(err instanceof CliError) || err.code !== EXIT.sessionClosed || !ws.state.session) throw err;
    const id = ws.state.session.id;
    const status = (await serverStatus(ws, conn).catch(() => null)) ?? String(err.details.session_status);
    const said = clearClosed(ws, status);
    throw new CliError(`${said}; start a new one with mic session start`, EXIT.sessionClosed, {
      ...err.details,
      session: id,
      session_status: status,
      healed: true,
    });
  }
}
