// The AWS SDK's HTTP handler for buckets users configure: every request the SDK signs is sent
// through the forge's guarded outbound client (outbound/), so a user's endpoint that resolves
// to a loopback, private or metadata address is refused unless MICELIO_OUTBOUND_ALLOW opens it,
// the checked address is pinned for the connection, and time and size are capped. The SDK
// keeps signing (SigV4), retries and error parsing; only the transport is ours.
import { Readable } from "node:stream";
import { type OutboundDeps, outboundRequest } from "../outbound/outbound-client.ts";

/** The parts of the SDK's request this handler reads (smithy's HttpRequest). */
interface SdkRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null | undefined>;
  headers: Record<string, string>;
  body?: unknown;
}

/** An artifact is at most 8 MiB; validation objects are tiny. */
export const S3_MAX_ANSWER_BYTES = 16 * 1024 * 1024;
export const S3_TIMEOUT_MS = 15_000;

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

/** The URL the SDK means: query parameters in RFC 3986 encoding, as it signed them. */
export function sdkRequestUrl(r: SdkRequest): string {
  const parts: string[] = [];
  for (const key of Object.keys(r.query ?? {}).sort()) {
    const value = r.query?.[key];
    if (value === null || value === undefined) parts.push(rfc3986(key));
    else for (const v of Array.isArray(value) ? value : [value]) parts.push(`${rfc3986(key)}=${rfc3986(v)}`);
  }
  const host = r.hostname.includes(":") ? `[${r.hostname}]` : r.hostname;
  const port = r.port ? `:${r.port}` : "";
  return `${r.protocol}//${host}${port}${r.path}${parts.length ? `?${parts.join("&")}` : ""}`;
}

async function bodyBytes(body: unknown): Promise<Buffer | string | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  throw new Error("unsupported request body");
}

/** A requestHandler for S3Client that sends through the outbound guard. */
export function guardedS3Handler(deps: OutboundDeps) {
  return {
    metadata: { handlerProtocol: "http/1.1" },
    httpHandlerConfigs: () => ({}),
    updateHttpClientConfig: () => {},
    destroy: () => {},
    async handle(request: SdkRequest) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers)) {
        const lower = k.toLowerCase();
        // The guard sets the length from the body; "expect: 100-continue" is not waited for.
        if (lower !== "content-length" && lower !== "expect" && lower !== "transfer-encoding") headers[k] = v;
      }
      const answer = await outboundRequest(
        sdkRequestUrl(request),
        {
          method: request.method,
          headers,
          body: await bodyBytes(request.body),
          timeoutMs: S3_TIMEOUT_MS,
          maxBytes: S3_MAX_ANSWER_BYTES,
          maxRedirects: 0,
        },
        deps,
      );
      const responseHeaders: Record<string, string> = {};
      for (const [k, v] of Object.entries(answer.headers))
        if (v !== undefined) responseHeaders[k] = Array.isArray(v) ? v.join(", ") : v;
      return {
        response: { statusCode: answer.status, headers: responseHeaders, body: Readable.from([answer.body]) },
      };
    },
  };
}
