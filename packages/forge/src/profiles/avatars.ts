// Uploaded avatars: PNG, JPEG or WebP, recognized by their magic bytes and decoded by sharp
// (libvips), size-capped, cropped and resized to 256×256 and stored as PNG under
// <data>/avatars/<account id>.png. The account row keeps the image's hash (its version).
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Viewer } from "../accounts/viewer.ts";
import { recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/db.ts";
import type { Account } from "../db/schema.ts";
import { AppError, invalid } from "../errors/app-error.ts";
import { requireProfileEditor } from "./profile-service.ts";

export const MAX_AVATAR_BYTES = 2 * 1024 * 1024;
export const AVATAR_SIZE = 256;

type Kind = "png" | "jpeg" | "webp";

/** The image format named by the first bytes, or null. */
export function sniffImage(b: Uint8Array): Kind | null {
  const at = (i: number, bytes: number[]) => bytes.every((v, j) => b[i + j] === v);
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (at(0, [0xff, 0xd8, 0xff])) return "jpeg";
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return "webp";
  return null;
}

/** Validates and re-encodes an upload; throws invalid / too_large with a message for the user. */
export async function processAvatar(input: Uint8Array): Promise<Buffer> {
  if (input.byteLength === 0)
    throw invalid("Choose an image to upload", [{ field: "avatar", message: "empty" }]);
  if (input.byteLength > MAX_AVATAR_BYTES) {
    throw new AppError("too_large", `Avatars must be at most ${MAX_AVATAR_BYTES / 1024 / 1024} MB`);
  }
  const kind = sniffImage(input);
  const notImage = () =>
    invalid("The file is not a PNG, JPEG or WebP image", [{ field: "avatar", message: "not an image" }]);
  if (!kind) throw notImage();
  try {
    const { default: sharp } = await import("sharp");
    const image = sharp(input, { failOn: "error", limitInputPixels: 50_000_000, animated: false });
    const meta = await image.metadata();
    if (meta.format !== kind) throw notImage();
    return await image
      .rotate()
      .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: "cover" })
      .png({ compressionLevel: 9 })
      .toBuffer();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw notImage();
  }
}

const dirOf = (dataDir: string) => join(dataDir, "avatars");
const fileOf = (dataDir: string, accountId: string) => join(dirOf(dataDir), `${accountId}.png`);

export async function setAvatar(
  db: Db,
  dataDir: string,
  viewer: Viewer,
  account: Account,
  upload: Uint8Array,
): Promise<Account> {
  await requireProfileEditor(db, viewer, account);
  const png = await processAvatar(upload);
  const hash = createHash("sha256").update(png).digest("hex");
  await mkdir(dirOf(dataDir), { recursive: true });
  const tmp = `${fileOf(dataDir, account.id)}.${hash.slice(0, 8)}.tmp`;
  await writeFile(tmp, png);
  await rename(tmp, fileOf(dataDir, account.id));
  return saveAvatar(db, viewer, account, hash);
}

export async function removeAvatar(
  db: Db,
  dataDir: string,
  viewer: Viewer,
  account: Account,
): Promise<Account> {
  await requireProfileEditor(db, viewer, account);
  const updated = await saveAvatar(db, viewer, account, null);
  await rm(fileOf(dataDir, account.id), { force: true });
  return updated;
}

async function saveAvatar(db: Db, viewer: Viewer, account: Account, hash: string | null) {
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("accounts")
      .set({ avatar: hash, updated_at: new Date() })
      .where("id", "=", account.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(
      trx,
      { user: viewer.user, ip: viewer.ip },
      {
        action: hash ? "account.avatar.set" : "account.avatar.remove",
        targetType: "account",
        targetId: account.id,
        target: account.handle,
        data: hash ? { hash } : {},
      },
    );
    return updated;
  });
}

/** The stored PNG, or null when the account uses its identicon (or the file is missing). */
export async function readAvatar(dataDir: string, account: Account): Promise<Buffer | null> {
  if (!account.avatar) return null;
  try {
    return await readFile(fileOf(dataDir, account.id));
  } catch {
    return null;
  }
}
