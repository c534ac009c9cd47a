// One OpenAI-compatible chat-completions call (MICELIO_LLM_URL/_API_KEY/_MODEL): a timeout,
// no redirects, a size limit on the answer, and the message text back. The API key goes only
// into the Authorization header, never into an error message or log. Used by the daily theme
// (theme/) and by the summaries of code changes on Open Graph cards (summaries/).
export interface LlmConfig {
  /** The API's base URL (…/v1) or the full …/chat/completions URL. */
  url: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/** The endpoint answered, but not with something usable (not JSON, no text, too large). */
export class LlmAnswerRejected extends Error {}

export function completionsUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  return /\/chat\/completions$/.test(trimmed) ? trimmed : `${trimmed}/chat/completions`;
}

/**
 * Sends the messages and returns the first choice's text. Throws LlmAnswerRejected for an
 * unusable answer and Error (with only the reason) for a timeout, network or HTTP failure.
 */
export async function chatCompletion(
  cfg: LlmConfig,
  messages: ChatMessage[],
  opts: { temperature?: number; maxTokens?: number; signal?: AbortSignal } = {},
): Promise<string> {
  const signals = [AbortSignal.timeout(cfg.timeoutMs), ...(opts.signal ? [opts.signal] : [])];
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (cfg.apiKey) headers.authorization = `Bearer ${cfg.apiKey}`;
  const body: Record<string, unknown> = { model: cfg.model, messages };
  if (opts.temperature !== undefined) body.temperature = opts.temperature;
  if (opts.maxTokens !== undefined) body.max_tokens = opts.maxTokens;
  let res: Response;
  let text: string;
  try {
    res = await fetch(completionsUrl(cfg.url), {
      method: "POST",
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.any(signals),
      redirect: "error",
    });
    text = await readLimited(res);
  } catch (err) {
    if (err instanceof LlmAnswerRejected) throw err;
    const e = err as Error;
    const reason = e.name === "TimeoutError" ? `no answer within ${cfg.timeoutMs} ms` : e.name;
    throw new Error(`the chat-completions request failed: ${reason}`);
  }
  if (!res.ok) throw new Error(`the chat-completions endpoint answered HTTP ${res.status}`);
  let parsed: { choices?: Array<{ message?: { content?: unknown } }> };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LlmAnswerRejected("the endpoint's answer is not JSON");
  }
  const content = parsed.choices?.[0]?.message?.content;
  if (typeof content !== "string") throw new LlmAnswerRejected("the answer has no message content");
  return content;
}

async function readLimited(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new LlmAnswerRejected(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
