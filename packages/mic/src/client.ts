// mic's HTTP client for the forge's JSON API: bearer token, 10 s connect budget, and
// problem+json errors turned into one-line messages with mic's exit codes.
import { CliError, EXIT } from "./exit-codes.ts";

export interface ClientOptions {
  server: string;
  token?: string;
  timeoutMs?: number;
}

export async function request<T = any>(
  opts: ClientOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const url = new URL(path, opts.server.endsWith("/") ? opts.server : `${opts.server}/`);
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new CliError(`cannot reach ${url.origin} (${reason})`, EXIT.unreachable);
  }
  const text = await res.text();
  const data = text ? safeJson(text) : null;
  if (!res.ok) {
    const detail = (data as { detail?: string } | null)?.detail ?? res.statusText;
    const code =
      res.status === 409
        ? EXIT.conflict
        : res.status === 400 || res.status === 422
          ? EXIT.usage
          : EXIT.notFound;
    const problem = data && typeof data === "object" ? (data as Record<string, unknown>) : {};
    throw new CliError(`${res.status}: ${detail}`, res.status >= 500 ? EXIT.unreachable : code, {
      ...problem,
      status: res.status,
    });
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
