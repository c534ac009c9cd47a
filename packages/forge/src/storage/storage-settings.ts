// What an account's storage settings may be, and the providers' quirks: the input schema
// (zod), then one normalisation that fills what each provider implies (R2's "auto" region,
// the endpoints of Spaces, Wasabi and B2 from their region, path-style URLs for MinIO and the
// like) and refuses what cannot work, each with a message that says what to change.
// Pure functions: no network (validate-bucket.ts does the requests).
import { z } from "@hono/zod-openapi";

export const PROVIDERS = [
  "aws_s3",
  "cloudflare_r2",
  "minio",
  "digitalocean_spaces",
  "backblaze_b2",
  "wasabi",
  "custom",
] as const;
export type Provider = (typeof PROVIDERS)[number];

export const PROVIDER_NAMES: Record<Provider, string> = {
  aws_s3: "Amazon S3",
  cloudflare_r2: "Cloudflare R2",
  minio: "MinIO",
  digitalocean_spaces: "DigitalOcean Spaces",
  backblaze_b2: "Backblaze B2",
  wasabi: "Wasabi",
  custom: "Other S3-compatible service",
};

export const storageInputSchema = z.object({
  provider: z.enum(PROVIDERS),
  bucket: z.string().min(1).max(63),
  region: z.string().max(64).optional().default(""),
  endpoint: z.string().max(500).optional().default(""),
  path_prefix: z.string().max(200).optional().default(""),
  access_key_id: z.string().min(1).max(256),
  secret_access_key: z.string().min(1).max(256),
});
export type StorageInput = z.input<typeof storageInputSchema>;

/** Settings ready to use: every field checked, the provider's implied values filled in. */
export interface StorageSettings {
  provider: Provider;
  bucket: string;
  region: string;
  /** Undefined only for Amazon S3 (the SDK's own endpoints). */
  endpoint?: string;
  pathPrefix: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
}

export class StorageSettingsError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "StorageSettingsError";
  }
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PREFIX_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Endpoints a provider implies from its region (the user may still give one). */
const IMPLIED: Partial<Record<Provider, (region: string) => string>> = {
  digitalocean_spaces: (r) => `https://${r}.digitaloceanspaces.com`,
  wasabi: (r) => `https://s3.${r}.wasabisys.com`,
  backblaze_b2: (r) => `https://s3.${r}.backblazeb2.com`,
};

/** A bucket endpoint: http(s), a host, no credentials, path, query or fragment. */
export function checkEndpoint(raw: string, provider: Provider): string {
  const bad = (m: string) => new StorageSettingsError("endpoint", m);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad("The endpoint is not a URL (write it like https://s3.example.com)");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw bad("The endpoint must start with https:// (or http:// for MinIO and other self-hosted services)");
  if (url.protocol === "http:" && provider !== "minio" && provider !== "custom")
    throw bad(`${PROVIDER_NAMES[provider]} is reached over https://`);
  if (url.username || url.password) throw bad("Put the credentials in their own fields, not in the endpoint");
  if (url.pathname !== "/" || url.search || url.hash)
    throw bad(
      "The endpoint is the service's address only: no path (the bucket has its own field), query or #",
    );
  return url.origin;
}

/** Checks and completes settings; throws StorageSettingsError naming the field to change. */
export function normalizeSettings(input: z.output<typeof storageInputSchema>): StorageSettings {
  const provider = input.provider;
  const bucket = input.bucket.trim();
  if (!BUCKET.test(bucket) || bucket.includes("..") || /^\d+\.\d+\.\d+\.\d+$/.test(bucket))
    throw new StorageSettingsError(
      "bucket",
      "A bucket name is 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit",
    );
  let region = input.region.trim().toLowerCase();
  if (provider === "cloudflare_r2") region = "auto"; // R2 has no regions; the SDK needs a value
  if (!region && (provider === "minio" || provider === "custom")) region = "us-east-1";
  if (!region) throw new StorageSettingsError("region", `${PROVIDER_NAMES[provider]} needs a region`);
  if (!REGION.test(region))
    throw new StorageSettingsError("region", "A region is letters, digits and hyphens");
  let endpoint = input.endpoint.trim() || IMPLIED[provider]?.(region) || "";
  if (endpoint) endpoint = checkEndpoint(endpoint, provider);
  else if (provider !== "aws_s3")
    throw new StorageSettingsError(
      "endpoint",
      provider === "cloudflare_r2"
        ? "Cloudflare R2 needs its endpoint: https://<account id>.r2.cloudflarestorage.com"
        : `${PROVIDER_NAMES[provider]} needs its endpoint URL`,
    );
  if (
    provider === "cloudflare_r2" &&
    !/^https:\/\/[0-9a-f]{32}\.(eu\.|fedramp\.)?r2\.cloudflarestorage\.com$/.test(endpoint)
  )
    throw new StorageSettingsError(
      "endpoint",
      "A Cloudflare R2 endpoint is https://<32-digit account id>.r2.cloudflarestorage.com",
    );
  const prefix = input.path_prefix.trim().replace(/^\/+/, "");
  const segments = prefix.split("/").filter(Boolean);
  if (segments.some((s) => !PREFIX_SEGMENT.test(s) || s.includes("..")) || /\/\//.test(prefix))
    throw new StorageSettingsError(
      "path_prefix",
      "A path prefix is folder names of letters, digits, dots, hyphens and underscores, separated by /",
    );
  return {
    provider,
    bucket,
    region,
    endpoint: endpoint || undefined,
    pathPrefix: segments.length ? `${segments.join("/")}/` : "",
    // Virtual-hosted URLs on AWS, R2, Spaces and Wasabi; path-style for self-hosted services.
    forcePathStyle: provider === "minio" || provider === "custom" || provider === "backblaze_b2",
    accessKeyId: input.access_key_id.trim(),
    secretAccessKey: input.secret_access_key,
  };
}
