// The conversation of a session as a timeline: each event kind drawn its own way — prompts
// and messages (with their role) as text, decisions with their rationale, tool calls folded
// in a <details>, status and progress lines, output in <pre>, errors marked, artifacts as
// links (http and https only), or, when uploaded to the forge, as links below the session's
// page with raster images shown inline. All text is escaped by JSX; long blocks are cut with a note.

import { TimeAgo } from "../browse/browse-views.tsx";
import { ansiSegments } from "../render/ansi.ts";

export type TimelineEvent = { seq: number; kind: string; created_at: string } & Record<string, unknown>;

const MAX_BLOCK = 20_000;

/** Text cut to MAX_BLOCK characters, saying how much was left out. */
function clip(text: string): string {
  if (text.length <= MAX_BLOCK) return text;
  return `${text.slice(0, MAX_BLOCK)}\n… (${text.length - MAX_BLOCK} more characters not shown)`;
}

const str = (v: unknown) => (typeof v === "string" ? v : "");
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** A value for <pre>: strings as they are, anything else as indented JSON. */
function show(v: unknown): string {
  if (typeof v === "string") return clip(v);
  try {
    return clip(JSON.stringify(v, null, 2) ?? "");
  } catch {
    return "(not displayable)";
  }
}

function safeUrl(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  try {
    const u = new URL(v);
    return u.protocol === "https:" || u.protocol === "http:" ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

const Tokens = ({ n }: { n: unknown }) =>
  num(n) !== undefined ? <span class="ev-tokens">{num(n)} tokens</span> : null;

const Text = ({ text }: { text: unknown }) => <div class="ev-text">{clip(str(text))}</div>;

/** Raster image types shown inline (the same list the artifact route serves inline). */
const INLINE_IMAGES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"]);
const SHA256 = /^[0-9a-f]{64}$/;

/** An artifact uploaded to the forge: a link to it, and the image itself when it is one. */
function StoredArtifact({ e, href }: { e: TimelineEvent; href: string }) {
  const image = INLINE_IMAGES.has(str(e.content_type));
  return (
    <figure class="ev-artifact">
      {image ? (
        <a href={href}>
          <img src={href} alt={str(e.name)} loading="lazy" />
        </a>
      ) : null}
      <figcaption>
        <a href={href} download={image ? undefined : str(e.name)}>
          {str(e.name)}
        </a>
        {num(e.size) !== undefined ? <span class="hint"> · {num(e.size)} bytes</span> : null}
      </figcaption>
    </figure>
  );
}

function Body({ e, base }: { e: TimelineEvent; base?: string }) {
  switch (e.kind) {
    case "prompt":
      return <Text text={e.text} />;
    case "message":
      return <Text text={e.text} />;
    case "decision":
      return (
        <>
          <Text text={e.text} />
          {str(e.rationale) ? (
            <p class="ev-rationale">
              <strong>Why:</strong> {clip(str(e.rationale))}
            </p>
          ) : null}
        </>
      );
    case "tool_call":
      return (
        <details class="ev-tool">
          <summary>
            <code>{str(e.tool) || "tool"}</code>
            {e.ok === true ? <span class="badge ok">ok</span> : null}
            {e.ok === false ? <span class="badge failed">failed</span> : null}
          </summary>
          {e.input !== undefined ? (
            <>
              <h4>Input</h4>
              <pre>{show(e.input)}</pre>
            </>
          ) : null}
          {e.output !== undefined ? (
            <>
              <h4>Output</h4>
              <pre>{show(e.output)}</pre>
            </>
          ) : null}
          {e.input === undefined && e.output === undefined ? (
            <p class="hint">No input or output recorded.</p>
          ) : null}
        </details>
      );
    case "status":
      return (
        <p class="ev-line">
          <span class="badge">{str(e.status)}</span> {str(e.text) ? clip(str(e.text)) : null}
        </p>
      );
    case "progress": {
      const done = num(e.done);
      const total = num(e.total);
      return (
        <p class="ev-line">
          {clip(str(e.text))}
          {done !== undefined && total ? (
            <>
              {" "}
              <progress value={Math.min(done, total)} max={total}>
                {done}/{total}
              </progress>{" "}
              <span class="hint">
                {done}/{total}
              </span>
            </>
          ) : null}
        </p>
      );
    }
    case "output":
      return <Terminal text={clip(str(e.text))} />;
    case "error":
      return (
        <p class="ev-line">
          {str(e.code) ? <code class="ev-code">{str(e.code)}</code> : null} {clip(str(e.text))}
        </p>
      );
    case "artifact": {
      if (base && e.stored === true && SHA256.test(str(e.sha256)))
        return <StoredArtifact e={e} href={`${base}/artifacts/${str(e.sha256)}`} />;
      const url = safeUrl(e.url);
      return (
        <p class="ev-line">
          {url ? (
            <a href={url} rel="nofollow noopener noreferrer">
              {str(e.name)}
            </a>
          ) : (
            <strong>{str(e.name)}</strong>
          )}
          {str(e.sha256) ? <span class="mono hint"> sha256 {str(e.sha256)}</span> : null}
        </p>
      );
    }
    default: {
      const { seq: _s, kind: _k, created_at: _c, ...rest } = e;
      return <pre>{show(rest)}</pre>;
    }
  }
}

/** Captured terminal output: its colours kept, every other escape sequence removed (render/ansi.ts). */
function Terminal({ text }: { text: string }) {
  return (
    <pre class="ev-output ev-terminal">
      {ansiSegments(text).map((seg) =>
        seg.fg === null && !seg.bold ? (
          seg.text
        ) : (
          <span class={`${seg.fg === null ? "" : `ansi-${seg.fg}`}${seg.bold ? " ansi-bold" : ""}`.trim()}>
            {seg.text}
          </span>
        ),
      )}
    </pre>
  );
}

const LABEL: Record<string, string> = {
  prompt: "Prompt",
  decision: "Decision",
  tool_call: "Tool call",
  status: "Status",
  progress: "Progress",
  output: "Output",
  error: "Error",
  artifact: "Artifact",
};

function label(e: TimelineEvent): string {
  if (e.kind === "message") return `Message · ${str(e.role) || "unknown"}`;
  return LABEL[e.kind] ?? e.kind;
}

/** `base` is the session page's path: stored artifacts are read below it. */
export function Timeline({ events, base }: { events: TimelineEvent[]; base?: string }) {
  return (
    <ol class="timeline">
      {events.map((e) => (
        <li
          id={`event-${e.seq}`}
          class={`ev ev-${e.kind.replace(/[^a-z_]/g, "")}${e.kind === "message" ? ` ev-role-${str(e.role).replace(/[^a-z]/g, "")}` : ""}`}
        >
          <header class="ev-head">
            <a href={`#event-${e.seq}`} class="ev-kind">
              {label(e)}
            </a>
            <Tokens n={e.kind === "prompt" || e.kind === "message" ? e.tokens : undefined} />
            <TimeAgo date={new Date(e.created_at)} />
          </header>
          <Body e={e} base={base} />
        </li>
      ))}
    </ol>
  );
}
