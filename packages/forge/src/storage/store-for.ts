// storeFor(forge, accountId): where an account's artifacts go. With no storage set, the
// instance store. With a bucket set, that bucket (through the outbound guard), falling back
// to the instance store whenever the bucket fails: a write goes to the instance store, a read
// looks there too (an object written during a fallback lives there). Each failure is recorded
// on the account's settings (last_error, failing_since), which /settings/storage and the
// owner's pages show as a notice; the next success clears it. The settings row is read on each
// call (one indexed query); the bucket's client is reused while the row is unchanged.
import type { Forge } from "../http/context.ts";
import type { ObjectStore } from "../objects/object-store.ts";
import { s3ObjectStore } from "../objects/s3-object-store.ts";
import { guardedS3Handler } from "./guarded-s3-handler.ts";
import { settingsOf, storageRow } from "./storage-service.ts";
import { describeS3Error } from "./validate-bucket.ts";

type StoreDeps = Pick<Forge, "db" | "objects" | "secrets" | "outbound" | "log">;

const clients = new Map<string, ObjectStore>(); // "<row id>:<updated_at>" → the bucket's store
const CLIENTS_MAX = 200;

/** The store for the artifacts of the account (a project's owner, a user, an organization). */
export async function storeFor(forge: StoreDeps, accountId: string | null | undefined): Promise<ObjectStore> {
  if (!accountId) return forge.objects;
  const row = await storageRow(forge.db, accountId);
  if (!row) return forge.objects;
  const cacheKey = `${row.id}:${row.updated_at.getTime()}`;
  let bucket = clients.get(cacheKey);
  if (!bucket) {
    let settings: ReturnType<typeof settingsOf>;
    try {
      settings = settingsOf(row, forge.secrets);
    } catch (err) {
      await recordFailure(
        forge,
        row.id,
        "The storage keys cannot be opened with this forge's secret key: save the settings again.",
      );
      forge.log.warn(
        { err: (err as Error).message, accountId },
        "storage: keys unreadable; using the instance store",
      );
      return forge.objects;
    }
    bucket = s3ObjectStore(
      {
        bucket: settings.bucket,
        endpoint: settings.endpoint,
        region: settings.region,
        accessKeyId: settings.accessKeyId,
        secretAccessKey: settings.secretAccessKey,
        forcePathStyle: settings.forcePathStyle,
        prefix: settings.pathPrefix,
      },
      { requestHandler: guardedS3Handler(forge.outbound), maxAttempts: 1 },
    );
    if (clients.size >= CLIENTS_MAX) clients.delete(clients.keys().next().value as string);
    clients.set(cacheKey, bucket);
  }
  return withFallback(forge, bucket, {
    id: row.id,
    bucket: row.bucket,
    provider: row.provider,
    failing: !!row.failing_since,
  });
}

async function recordFailure(forge: StoreDeps, id: string, message: string) {
  await forge.db
    .updateTable("storage_configs")
    .where("id", "=", id)
    .set((eb) => ({
      last_error: message,
      failing_since: eb.fn.coalesce("failing_since", eb.val(new Date())),
      failures_in_row: eb("failures_in_row", "+", 1),
    }))
    .execute()
    .catch((err) => forge.log.warn({ err }, "storage: could not record a failure"));
}

function withFallback(
  forge: StoreDeps,
  bucket: ObjectStore,
  row: { id: string; bucket: string; provider: string; failing: boolean },
): ObjectStore {
  const instance = forge.objects;
  let recovered = !row.failing;
  const failed = async (err: unknown, op: string, key: string) => {
    const message = `${op} ${key} failed: ${describeS3Error(err, {
      bucket: row.bucket,
      provider: row.provider as never,
    })}`;
    forge.log.warn(
      { storage: row.id, op, key, reason: message },
      "storage: bucket failed; using the instance store",
    );
    await recordFailure(forge, row.id, message);
  };
  const succeeded = async () => {
    if (recovered) return;
    recovered = true;
    await forge.db
      .updateTable("storage_configs")
      .where("id", "=", row.id)
      .set({ last_error: null, failing_since: null, failures_in_row: 0 })
      .execute()
      .catch(() => {});
  };
  return {
    async get(key) {
      try {
        const found = await bucket.get(key);
        await succeeded();
        return found ?? (await instance.get(key));
      } catch (err) {
        await failed(err, "Reading", key);
        return instance.get(key);
      }
    },
    async put(key, body) {
      try {
        await bucket.put(key, body);
        await succeeded();
      } catch (err) {
        await failed(err, "Writing", key);
        await instance.put(key, body);
      }
    },
    async has(key) {
      try {
        const found = await bucket.has(key);
        await succeeded();
        return found || (await instance.has(key));
      } catch (err) {
        await failed(err, "Reading", key);
        return instance.has(key);
      }
    },
    async delete(key) {
      await instance.delete(key);
      try {
        await bucket.delete(key);
      } catch (err) {
        await failed(err, "Deleting", key);
      }
    },
    // Listing serves the instance's maintenance (pruning); the account's bucket is its owner's to prune.
    list: (prefix) => instance.list(prefix),
  };
}

/**
 * The notice for an account whose bucket is failing, or null; only for `viewerId` when it is
 * the account or an owner of the organization it is (one query, whoever asks).
 */
export async function storageNotice(
  forge: Pick<Forge, "db">,
  accountId: string,
  viewerId: string,
): Promise<string | null> {
  const row = await forge.db
    .selectFrom("storage_configs as s")
    .select(["s.bucket", "s.last_error"])
    .where("s.account_id", "=", accountId)
    .where("s.failing_since", "is not", null)
    .where((eb) =>
      eb.or([
        eb.val(accountId === viewerId),
        eb.exists(
          eb
            .selectFrom("org_members as m")
            .select("m.user_id")
            .whereRef("m.org_id", "=", "s.account_id")
            .where("m.user_id", "=", viewerId)
            .where("m.role", "=", "owner"),
        ),
      ]),
    )
    .executeTakeFirst();
  if (!row) return null;
  return `Your bucket "${row.bucket}" is failing, so artifacts are kept in the instance's store: ${row.last_error ?? "unknown error"}`;
}

/** The store for a project's artifacts: its owner's. */
export async function storeForProject(forge: StoreDeps, projectId: string): Promise<ObjectStore> {
  const p = await forge.db
    .selectFrom("projects")
    .select("owner_id")
    .where("id", "=", projectId)
    .executeTakeFirst();
  return storeFor(forge, p?.owner_id);
}
