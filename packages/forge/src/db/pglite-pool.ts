// Presents an embedded PGlite database as the small part of a `pg` Pool that Kysely's
// PostgresDialect uses. PGlite is one session, so a transaction must have it to itself: a
// client whose first statement is BEGIN (or that runs a script) waits until every other
// client is done and holds the session until it is released. Clients of single statements
// share it: their queries go to PGlite at once, one after another in its own queue, with no
// round trip to this thread between them (what keeps PGlite's thread busy when it has one,
// pglite-thread.ts). A waiting transaction stops new sharers, so it is never starved.
import type { LiteEngine } from "./pglite-thread.ts";

type Result = { command: string; rowCount: number; rows: unknown[] };
type Mode = "shared" | "exclusive";

function commandOf(sql: string): string {
  const word = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? "";
  // A data-modifying CTE reports affected rows like an UPDATE would.
  return word === "WITH" ? "UPDATE" : word;
}

const OPENS_TRANSACTION = /^\s*(begin|start\s+transaction)\b/i;

export class PgliteClient {
  private mode: Mode | null = null;
  private released = false;

  constructor(
    private readonly db: LiteEngine,
    private readonly pool: PglitePool,
  ) {}

  async query(sql: string, params: unknown[] = []): Promise<Result> {
    await this.take(OPENS_TRANSACTION.test(sql) ? "exclusive" : "shared");
    const res = await this.db.query(sql, params);
    return { command: commandOf(sql), rowCount: res.affectedRows ?? res.rows.length, rows: res.rows };
  }

  /** Runs a script of several statements (simple query protocol); it has the session to itself. */
  async exec(sql: string): Promise<void> {
    await this.take("exclusive");
    await this.db.exec(sql);
  }

  /** The session, as the client's first statement needs it (later ones keep that grant). */
  async take(mode: Mode) {
    if (this.released) throw new Error("query on a released database client");
    if (this.mode) return;
    this.mode = mode;
    await this.pool.acquire(mode);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.mode) this.pool.free(this.mode);
  }
}

export class PglitePool {
  private sharers = 0;
  private exclusive = false;
  private readonly queue: Array<{ mode: Mode; grant: () => void }> = [];

  constructor(readonly db: LiteEngine) {}

  /** A client at once; it waits for the session on its first statement. */
  connect(): Promise<PgliteClient> {
    return Promise.resolve(new PgliteClient(this.db, this));
  }

  acquire(mode: Mode): Promise<void> {
    if (this.queue.length === 0 && this.admits(mode)) {
      this.hold(mode);
      return Promise.resolve();
    }
    return new Promise((grant) => this.queue.push({ mode, grant }));
  }

  free(mode: Mode) {
    if (mode === "exclusive") this.exclusive = false;
    else this.sharers--;
    // First come, first served: sharers in a row go together; a transaction waits for them.
    while (this.queue.length && this.admits(this.queue[0].mode)) {
      const next = this.queue.shift()!;
      this.hold(next.mode);
      next.grant();
    }
  }

  private admits(mode: Mode) {
    return mode === "exclusive" ? !this.exclusive && this.sharers === 0 : !this.exclusive;
  }

  private hold(mode: Mode) {
    if (mode === "exclusive") this.exclusive = true;
    else this.sharers++;
  }

  async end(): Promise<void> {
    await this.db.close();
  }
}
