// `micelio rotate-key`: after MICELIO_SECRET_KEY is set to a new key and the old one moved to
// MICELIO_SECRET_KEY_PREVIOUS (forges keep running: they open values sealed with either),
// re-seals every sealed value with the new key (rotate-key.ts), printing progress. Safe to stop
// and run again; it ends by saying whether the previous keys can be removed.
import type { Config } from "../config/config.ts";
import type { DatabaseHandle } from "../db/db.ts";
import { pendingRotation, rotateSecrets } from "./rotate-key.ts";
import { createSecretBox } from "./secret-box.ts";
import { loadSecretKey } from "./secret-key.ts";

export const ROTATE_USAGE =
  "Usage: micelio rotate-key\n\nRe-seals every secret kept in the database with MICELIO_SECRET_KEY, opening the old\nvalues with MICELIO_SECRET_KEY_PREVIOUS (comma-separated). Resumable: run it again after a stop.\n";

export async function rotateKeyCommand(
  config: Pick<Config, "secretKey" | "previousSecretKeys" | "dataDir">,
  io: { open: () => Promise<DatabaseHandle>; out: (t: string) => void; err: (t: string) => void },
): Promise<number> {
  const loaded = loadSecretKey({ configured: config.secretKey, dataDir: config.dataDir });
  const box = createSecretBox(
    loaded.key.bytes(),
    (config.previousSecretKeys ?? []).map((k) => k.bytes()),
  );
  if (box.keyIds.length === 1)
    io.err(
      "micelio rotate-key: MICELIO_SECRET_KEY_PREVIOUS is not set; only values already sealed with the current key can be read\n",
    );
  const db = await io.open();
  try {
    io.out(
      `sealing with key ${box.keyId}; accepting ${box.keyIds.slice(1).join(", ") || "no previous key"}\n`,
    );
    const report = await rotateSecrets(db.db, box, (name, n) => io.out(`  ${name}: ${n} re-sealed so far\n`));
    for (const c of report.columns)
      if (c.resealed || c.unreadable)
        io.out(`${c.name}: ${c.resealed} re-sealed, ${c.unreadable} unreadable\n`);
    const left = await pendingRotation(db.db, box);
    io.out(`done: ${report.resealed} re-sealed; ${left} value(s) still sealed with another key\n`);
    if (left === 0)
      io.out("every secret is sealed with the current key: MICELIO_SECRET_KEY_PREVIOUS can be removed\n");
    else
      io.err(
        `${left} value(s) no accepted key opens: restore their key into MICELIO_SECRET_KEY_PREVIOUS and run again\n`,
      );
    return left === 0 ? 0 : 2;
  } finally {
    await db.close();
  }
}
