// Presents an embedded PGlite database as the small part of a `pg` Pool that Kysely's
// PostgresDialect uses. PGlite is one connection, so clients are handed out one at a time:
// a transaction holds the connection until it is released, like a pool of size one.
import type { PGlite } from "@electric-sql/pglite";

type Result = { command: string; rowCount: number; rows: unknown[] };

function commandOf(sql: string): string {
  const word = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? "";
  // A data-modifying CTE reports affected rows like an UPDATE would.
  return word === "WITH" ? "UPDATE" : word;
}

export class PgliteClient {
  constructor(
    private readonly db: PGlite,
    private readonly onRelease: () => void,
  ) {}

  async query(sql: string, params: unknown[] = []): Promise<Result> {
    const res = await this.db.query(sql, params);
    return { command: commandOf(sql), rowCount: res.affectedRows ?? res.rows.length, rows: res.rows };
  }

  /** Runs a script of several statements (simple query protocol). */
  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  release(): void {
    this.onRelease();
  }
}

export class PglitePool {
  private queue: Array<() => void> = [];
  private busy = false;

  constructor(readonly db: PGlite) {}

  connect(): Promise<PgliteClient> {
    return new Promise((resolve) => {
      const grant = () => {
        this.busy = true;
        let released = false;
        resolve(
          new PgliteClient(this.db, () => {
            if (released) return;
            released = true;
            this.busy = false;
            this.queue.shift()?.();
          }),
        );
      };
      if (this.busy) this.queue.push(grant);
      else grant();
    });
  }

  async end(): Promise<void> {
    await this.db.close();
  }
}
