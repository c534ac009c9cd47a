// A Server-Sent Events client for tests: connect, then read messages (comments included) or
// only named events (with the id as a number and the data parsed), and close.
export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

export function parseBlock(block: string): SseMessage {
  const m: SseMessage = {};
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) m.comment = line.slice(1).trim();
    else {
      const i = line.indexOf(":");
      const [k, v] = [line.slice(0, i), line.slice(i + 1).replace(/^ /, "")];
      if (k === "data") m.data = m.data === undefined ? v : `${m.data}\n${v}`;
      else if (k === "id" || k === "event" || k === "retry") m[k] = v;
    }
  }
  return m;
}

export async function connectSse(url: string, headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: ac.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  const next = async (): Promise<SseMessage> => {
    for (;;) {
      const i = buf.indexOf("\n\n");
      if (i >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        return parseBlock(block);
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buf += value;
    }
  };
  const nextEvent = async () => {
    for (;;) {
      const m = await next();
      if (m.event)
        return {
          ...m,
          id: Number(m.id),
          json: JSON.parse(m.data ?? "null"),
        };
    }
  };
  /** Resolves true when the server ends the stream (reading whatever is left). */
  const ended = async () => {
    for (;;) {
      const { done } = await reader.read();
      if (done) return true;
    }
  };
  return { res, next, nextEvent, ended, close: () => ac.abort() };
}
