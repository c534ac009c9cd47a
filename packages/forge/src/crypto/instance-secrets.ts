// The forge's secret box, opened at start-up (server.ts): the key from MICELIO_SECRET_KEY or
// <data dir>/secret.key (secret-key.ts), then one pass that seals the values stored in plain
// text before encryption existed, and a loud log line when values sealed with another key are
// found (a lost or replaced key: those users must set up two-factor sign-in again).
// Which stored values are sealed, and why those: docs/adr/0020-secrets-at-rest.md.
import type { Config } from "../config/config.ts";
import type { Db } from "../db/db.ts";
import type { Logger } from "../ops/logger.ts";
import { sealLegacyTotpSecrets } from "../two-factor/totp-secrets.ts";
import { createSecretBox, type SecretBox } from "./secret-box.ts";
import { loadSecretKey } from "./secret-key.ts";

export async function openInstanceSecrets(
  config: Pick<Config, "secretKey" | "dataDir" | "previousSecretKeys">,
  db: Db,
  log: Logger,
): Promise<SecretBox> {
  const loaded = loadSecretKey({ configured: config.secretKey, dataDir: config.dataDir });
  for (const warning of loaded.warnings) log.warn(warning);
  const box = createSecretBox(
    loaded.key.bytes(),
    (config.previousSecretKeys ?? []).map((k) => k.bytes()),
  );
  if (loaded.source === "new file")
    log.info(
      { path: loaded.path, keyId: box.keyId },
      "made a new secret key for secrets kept in the database; back it up with the database",
    );
  const totp = await sealLegacyTotpSecrets(db, box);
  if (totp.sealed)
    log.info({ sealed: totp.sealed }, "two-factor secrets stored in plain text were encrypted");
  if (totp.otherKey)
    log.error(
      { count: totp.otherKey, keyId: box.keyId, source: loaded.source },
      "two-factor secrets sealed with another secret key were found: restore that key " +
        "(MICELIO_SECRET_KEY or secret.key in the data directory), or those users must use a " +
        "recovery code and set up two-factor sign-in again",
    );
  return box;
}
