// The settings' rules and the providers' quirks: implied regions and endpoints, refused
// endpoints and names (each naming its field), path prefixes normalised; properties: every
// accepted prefix is whole object-key segments ending in "/", every accepted endpoint is an
// origin; and the guarded handler's URLs carry the SDK's query as it signed it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkObjectKey } from "../objects/object-store.ts";
import { sdkRequestUrl } from "./guarded-s3-handler.ts";
import { iamPolicy } from "./iam-policy.ts";
import {
  normalizeSettings,
  type Provider,
  StorageSettingsError,
  storageInputSchema,
} from "./storage-settings.ts";

const base = { bucket: "my-bucket", access_key_id: "AK", secret_access_key: "SK" };
const norm = (x: Record<string, string>) => normalizeSettings(storageInputSchema.parse({ ...base, ...x }));
const fieldOf = (x: Record<string, string>) => {
  try {
    norm(x);
    return null;
  } catch (err) {
    if (err instanceof StorageSettingsError) return err.field;
    throw err;
  }
};

describe("storage settings", () => {
  it("fills what each provider implies", () => {
    expect(norm({ provider: "aws_s3", region: "eu-west-1" })).toMatchObject({
      endpoint: undefined,
      forcePathStyle: false,
    });
    expect(norm({ provider: "digitalocean_spaces", region: "nyc3" }).endpoint).toBe(
      "https://nyc3.digitaloceanspaces.com",
    );
    expect(norm({ provider: "wasabi", region: "eu-central-1" }).endpoint).toBe(
      "https://s3.eu-central-1.wasabisys.com",
    );
    expect(norm({ provider: "backblaze_b2", region: "us-west-004" })).toMatchObject({
      endpoint: "https://s3.us-west-004.backblazeb2.com",
      forcePathStyle: true,
    });
    const r2 = `https://${"a".repeat(32)}.r2.cloudflarestorage.com`;
    expect(norm({ provider: "cloudflare_r2", endpoint: r2, region: "eu" })).toMatchObject({
      region: "auto",
      endpoint: r2,
    });
    expect(norm({ provider: "minio", endpoint: "http://minio.internal:9000/" })).toMatchObject({
      region: "us-east-1",
      endpoint: "http://minio.internal:9000",
      forcePathStyle: true,
    });
    expect(norm({ provider: "minio", endpoint: "http://m:9000", path_prefix: "/a/b" }).pathPrefix).toBe(
      "a/b/",
    );
  });

  it("refuses what cannot work, naming the field", () => {
    expect(fieldOf({ provider: "aws_s3" })).toBe("region");
    expect(fieldOf({ provider: "minio" })).toBe("endpoint");
    expect(fieldOf({ provider: "cloudflare_r2", endpoint: "https://example.com" })).toBe("endpoint");
    expect(fieldOf({ provider: "wasabi", region: "x", endpoint: "http://s3.wasabisys.com" })).toBe(
      "endpoint",
    );
    expect(fieldOf({ provider: "minio", endpoint: "http://u:p@m:9000" })).toBe("endpoint");
    expect(fieldOf({ provider: "minio", endpoint: "http://m:9000/bucket" })).toBe("endpoint");
    expect(fieldOf({ provider: "minio", endpoint: "ftp://m" })).toBe("endpoint");
    expect(fieldOf({ provider: "minio", endpoint: "http://m", bucket: "Upper" })).toBe("bucket");
    expect(fieldOf({ provider: "minio", endpoint: "http://m", bucket: "192.168.1.1" })).toBe("bucket");
    expect(fieldOf({ provider: "minio", endpoint: "http://m", path_prefix: "a/../b" })).toBe("path_prefix");
    expect(fieldOf({ provider: "minio", endpoint: "http://m", path_prefix: "a//b" })).toBe("path_prefix");
  });

  it("accepts only prefixes made of object-key segments, and endpoints that are origins (property)", () => {
    const providers: Provider[] = ["minio", "custom"];
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        fc.constantFrom(...providers),
        (prefix, host, provider) => {
          let s: ReturnType<typeof norm> | null = null;
          try {
            s = norm({ provider, endpoint: `http://${host}`, path_prefix: prefix });
          } catch (err) {
            if (!(err instanceof StorageSettingsError)) throw err;
          }
          if (!s) return;
          if (s.pathPrefix) {
            expect(s.pathPrefix.endsWith("/")).toBe(true);
            expect(() => checkObjectKey(s.pathPrefix.slice(0, -1))).not.toThrow();
          }
          expect(new URL(s.endpoint!).origin).toBe(s.endpoint);
        },
      ),
    );
  });

  it("the handler's URL carries the SDK's query in RFC 3986 form", () => {
    const url = sdkRequestUrl({
      method: "GET",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 9000,
      path: "/b/a%20b",
      query: { "list-type": "2", prefix: "og/x y*", delete: null },
      headers: {},
    });
    expect(url).toBe("http://127.0.0.1:9000/b/a%20b?delete&list-type=2&prefix=og%2Fx%20y%2A");
    expect(
      sdkRequestUrl({ method: "GET", protocol: "https:", hostname: "::1", path: "/", headers: {} }),
    ).toBe("https://[::1]/");
  });

  it("the IAM policy allows the bucket's objects and HeadBucket, nothing else", () => {
    const p = iamPolicy("art");
    expect(p.Statement.flatMap((s) => s.Action).sort()).toEqual([
      "s3:DeleteObject",
      "s3:GetObject",
      "s3:ListBucket",
      "s3:PutObject",
    ]);
    expect(p.Statement.flatMap((s) => s.Resource)).toEqual(["arn:aws:s3:::art", "arn:aws:s3:::art/*"]);
  });
});
