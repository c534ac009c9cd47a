// The object store on any S3-compatible service (AWS S3, R2, MinIO…), for forges that run on
// several machines or keep artifacts off local disk. Same keys and behaviour as the local
// directory; an optional prefix keeps the forge's objects apart in a shared bucket.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { checkObjectKey, type ObjectStore } from "./object-store.ts";

export interface S3Settings {
  bucket: string;
  /** Endpoint URL for non-AWS services, e.g. http://127.0.0.1:9000; AWS when unset. */
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style URLs (bucket in the path), which most self-hosted services need. */
  forcePathStyle: boolean;
  prefix: string;
}

/** The key is missing (not the bucket, not the credentials: those must fail loudly). */
const absent = (e: unknown) => e instanceof NoSuchKey || e instanceof NotFound;

export function s3ObjectStore(s: S3Settings): ObjectStore & { settings: S3Settings } {
  const client = new S3Client({
    region: s.region,
    endpoint: s.endpoint,
    forcePathStyle: s.forcePathStyle,
    credentials:
      s.accessKeyId && s.secretAccessKey
        ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey }
        : undefined,
    // Checksums only where S3 requires them: many compatible services refuse aws-chunked bodies.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const Key = (key: string) => s.prefix + checkObjectKey(key);
  return {
    settings: s,
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: s.bucket, Key: Key(key) }));
        return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
      } catch (e) {
        if (absent(e)) return null;
        throw e;
      }
    },
    async put(key, body) {
      const bytes = typeof body === "string" ? Buffer.from(body) : body;
      await client.send(new PutObjectCommand({ Bucket: s.bucket, Key: Key(key), Body: bytes }));
    },
    async has(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: Key(key) }));
        return true;
      } catch (e) {
        if (absent(e)) return false;
        throw e;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: s.bucket, Key: Key(key) }));
    },
  };
}
