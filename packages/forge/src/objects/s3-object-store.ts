// The object store on any S3-compatible service (AWS S3, R2, MinIO…), for forges that run on
// several machines or keep artifacts off local disk. Same keys and behaviour as the local
// directory; an optional prefix keeps the forge's objects apart in a shared bucket.
import type { S3Client } from "@aws-sdk/client-s3";
import { checkObjectKey, checkObjectPrefix, type ObjectStore } from "./object-store.ts";

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

type Sdk = typeof import("@aws-sdk/client-s3");
let sdk: Promise<Sdk> | undefined;
/** The SDK is large: loaded on first use, so forges on local disk never pay for it. */
const loadSdk = () => {
  sdk ??= import("@aws-sdk/client-s3");
  return sdk;
};

/** The key is missing (not the bucket, not the credentials: those must fail loudly). */
const absent = (s3: Sdk, e: unknown) => e instanceof s3.NoSuchKey || e instanceof s3.NotFound;

/** How a client for a user's bucket differs (storage/): its transport, and fewer attempts. */
export interface S3ClientExtras {
  /** The SDK's HTTP handler (storage/guarded-s3-handler.ts sends through the outbound guard). */
  requestHandler?: unknown;
  maxAttempts?: number;
}

export function s3ObjectStore(
  s: S3Settings,
  extras: S3ClientExtras = {},
): ObjectStore & { settings: S3Settings } {
  let client: S3Client | undefined;
  const open = async () => {
    const s3 = await loadSdk();
    client ??= new s3.S3Client({
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
      ...(extras.requestHandler ? { requestHandler: extras.requestHandler as never } : {}),
      ...(extras.maxAttempts ? { maxAttempts: extras.maxAttempts } : {}),
    });
    return { s3, client };
  };
  const keyOf = (key: string) => s.prefix + checkObjectKey(key);
  return {
    settings: s,
    async get(key) {
      const Key = keyOf(key);
      const { s3, client } = await open();
      try {
        const out = await client.send(new s3.GetObjectCommand({ Bucket: s.bucket, Key }));
        return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
      } catch (e) {
        if (absent(s3, e)) return null;
        throw e;
      }
    },
    async put(key, body) {
      const Key = keyOf(key);
      const { s3, client } = await open();
      const bytes = typeof body === "string" ? Buffer.from(body) : body;
      await client.send(new s3.PutObjectCommand({ Bucket: s.bucket, Key, Body: bytes }));
    },
    async has(key) {
      const Key = keyOf(key);
      const { s3, client } = await open();
      try {
        await client.send(new s3.HeadObjectCommand({ Bucket: s.bucket, Key }));
        return true;
      } catch (e) {
        if (absent(s3, e)) return false;
        throw e;
      }
    },
    async delete(key) {
      const Key = keyOf(key);
      const { s3, client } = await open();
      await client.send(new s3.DeleteObjectCommand({ Bucket: s.bucket, Key }));
    },
    async *list(prefix) {
      const Prefix = s.prefix + checkObjectPrefix(prefix);
      const { s3, client } = await open();
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(
          new s3.ListObjectsV2Command({ Bucket: s.bucket, Prefix, ContinuationToken }),
        );
        for (const o of page.Contents ?? [])
          if (o.Key) yield { key: o.Key.slice(s.prefix.length), modified: o.LastModified ?? new Date(0) };
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
  };
}
