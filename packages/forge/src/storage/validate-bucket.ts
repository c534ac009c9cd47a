// Checks a bucket before it is saved (and again by the revalidation job): HeadBucket (it
// exists and the keys reach it), then put, get and delete of a small test object under the
// path prefix. Every request goes through the outbound guard (guarded-s3-handler.ts). Each
// failure becomes one sentence that says what is wrong and what to do; credentials never
// appear in it (the SDK's messages are not passed on as they are).
import { randomBytes } from "node:crypto";
import type { OutboundDeps } from "../outbound/outbound-client.ts";
import { OutboundRefused } from "../outbound/outbound-client.ts";
import { guardedS3Handler } from "./guarded-s3-handler.ts";
import { PROVIDER_NAMES, type StorageSettings } from "./storage-settings.ts";

export type ValidationStep = "endpoint" | "head-bucket" | "put" | "get" | "delete";

export interface BucketCheck {
  ok: boolean;
  /** The step that failed. */
  step?: ValidationStep;
  message?: string;
  /** One line per step, for the validation log shown on /settings/storage. */
  log: string[];
}

type Sdk = typeof import("@aws-sdk/client-s3");

/** An SDK client for a user's bucket, sending through the outbound guard. */
export async function userS3Client(s: StorageSettings, outbound: OutboundDeps) {
  const s3: Sdk = await import("@aws-sdk/client-s3");
  const client = new s3.S3Client({
    region: s.region,
    endpoint: s.endpoint,
    forcePathStyle: s.forcePathStyle,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: guardedS3Handler(outbound) as never,
    maxAttempts: 1,
  });
  return { s3, client };
}

/** A sentence for the user about why a request to their bucket failed (never the secret). */
export function describeS3Error(err: unknown, s: Pick<StorageSettings, "bucket" | "provider">): string {
  if (err instanceof OutboundRefused) {
    if (err.reason === "forbidden-address")
      return `The endpoint is refused: ${err.message}. A forge only reaches public addresses unless its operator opens others (MICELIO_OUTBOUND_ALLOW).`;
    if (err.reason === "resolve-failed") return `The endpoint's host name does not resolve (${err.message}).`;
    if (err.reason === "timeout") return "The storage service did not answer in time.";
    if (err.reason === "bad-url") return `The endpoint is refused: ${err.message}.`;
    return `The storage service could not be reached (${err.reason}).`;
  }
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; Code?: string };
  const status = e.$metadata?.httpStatusCode;
  const name = e.Code ?? e.name ?? "";
  if (name === "NoSuchBucket" || (status === 404 && /NotFound|NoSuchBucket/.test(name)))
    return `The bucket "${s.bucket}" does not exist (or is in another region or account).`;
  if (/InvalidAccessKeyId/.test(name)) return "The access key id is not known to the storage service.";
  if (/SignatureDoesNotMatch/.test(name)) return "The secret access key does not match the access key id.";
  if (/AccessDenied|Forbidden/.test(name) || status === 403)
    return `The keys were refused access (403): give them the permissions in the IAM policy for "${s.bucket}".`;
  if (/PermanentRedirect|AuthorizationHeaderMalformed/.test(name) || status === 301)
    return "The bucket is in another region: set the region the bucket was created in.";
  if (status && status >= 500)
    return `${PROVIDER_NAMES[s.provider]} answered with an error (${status}); try again later.`;
  return `The storage service refused the request${name ? ` (${name}${status ? `, ${status}` : ""})` : ""}.`;
}

/** Runs the checks in order and stops at the first that fails. */
export async function validateBucket(s: StorageSettings, outbound: OutboundDeps): Promise<BucketCheck> {
  const log: string[] = [];
  const { s3, client } = await userS3Client(s, outbound);
  const Bucket = s.bucket;
  const Key = `${s.pathPrefix}.micelio-test-${randomBytes(6).toString("hex")}`;
  const body = `micelio storage check ${new Date().toISOString()}`;
  let step: ValidationStep = "head-bucket";
  try {
    await client.send(new s3.HeadBucketCommand({ Bucket }));
    log.push(`head-bucket: ${Bucket} reached`);
    step = "put";
    await client.send(new s3.PutObjectCommand({ Bucket, Key, Body: Buffer.from(body) }));
    log.push(`put: wrote ${Key}`);
    step = "get";
    const got = await client.send(new s3.GetObjectCommand({ Bucket, Key }));
    const read = got.Body ? Buffer.from(await got.Body.transformToByteArray()).toString() : "";
    if (read !== body) {
      log.push("get: the object read back differs from the one written");
      return { ok: false, step, message: "The object read back differs from the one written.", log };
    }
    log.push(`get: read ${Key} back`);
    step = "delete";
    await client.send(new s3.DeleteObjectCommand({ Bucket, Key }));
    log.push(`delete: removed ${Key}`);
    return { ok: true, log };
  } catch (err) {
    const message = describeS3Error(err, s);
    const what = step === "head-bucket" ? "" : ` (${step} of a test object)`;
    log.push(`${step}: ${message}`);
    return { ok: false, step, message: `${message}${what}`, log };
  } finally {
    client.destroy();
  }
}
