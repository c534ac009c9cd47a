// The blame page's pieces: a summary bar, then one block per hunk — who brought the lines
// (the session's goal linking to its page, the author, an agent badge, the landing position
// linking to its commit) or, for lines without a landing, the commit's summary, author and
// date — beside the highlighted, numbered lines (#L anchors, as on the file page).
import { raw } from "hono/html";
import type { Repo } from "../browse/browse-service.ts";
import { blobUrl, commitsUrl, commitUrl, rawUrl, shortSha, TimeAgo } from "../browse/browse-views.tsx";
import { escapeHtml } from "../render/index.ts";
import type { BlameHunk, BlameView } from "./blame-service.ts";
import type { BlameLanding } from "./landing-store.ts";

function LandingAttribution({ repo, landing }: { repo: Repo; landing: BlameLanding }) {
  const s = landing.session;
  const agent = s?.agent ? [s.agent.name, s.agent.model].filter(Boolean).join(":") : null;
  return (
    <div class="blame-attr">
      {s?.project ? (
        // A fork's inherited landings link to the parent's session (its access rules apply there).
        <a class="blame-goal" href={`/${s.project}/sessions/${encodeURIComponent(s.id)}`}>
          {s.goal}
        </a>
      ) : s ? (
        <span class="blame-goal">{s.goal}</span>
      ) : (
        <span class="blame-goal">Landing {landing.position}</span>
      )}
      <p>
        {s ? <span class="blame-author">{s.author}</span> : null}{" "}
        {agent ? (
          <span class="badge" title="Agent">
            {agent}
          </span>
        ) : null}
      </p>
      <p>
        <a class="blame-pos" href={commitUrl(repo, landing.commit)} title="Landing position on trunk">
          #{landing.position}
        </a>{" "}
        · landed <TimeAgo date={landing.landedAt} />
      </p>
    </div>
  );
}

function CommitAttribution({ repo, view, sha }: { repo: Repo; view: BlameView; sha: string }) {
  const c = view.commits.get(sha);
  return (
    <div class="blame-attr">
      <a class="blame-goal" href={commitUrl(repo, sha)}>
        {c?.summary || "(no message)"}
      </a>
      <p>
        <span class="blame-author">{c?.author.name}</span>{" "}
        <span class="badge" title="This commit did not arrive through a landing">
          commit
        </span>
      </p>
      <p>
        <a class="blame-pos" href={commitUrl(repo, sha)}>
          {shortSha(sha)}
        </a>
        {c ? (
          <>
            {" "}
            · <TimeAgo date={c.date} />
          </>
        ) : null}
      </p>
    </div>
  );
}

/** The hunk's lines as a numbered table; `html` holds every line of the file, escaped. */
function linesHtml(hunk: BlameHunk, html: string[]): string {
  const rows: string[] = [];
  for (let n = hunk.start; n <= hunk.end; n++) {
    rows.push(
      `<tr id="L${n}"><td class="ln"><a href="#L${n}">${n}</a></td><td class="lc">${html[n - 1] ?? ""}</td></tr>`,
    );
  }
  return `<div class="code-scroll"><table class="code hl"><tbody>${rows.join("")}</tbody></table></div>`;
}

export function BlameHunks({ view, html }: { view: BlameView; html: string[] }) {
  const { repo } = view;
  const digits = Math.min(5, String(Math.max(1, view.lines.length)).length);
  return (
    <div class={`blame blame-d${digits}`}>
      {view.hunks.map((h) => {
        const landing = h.position !== null ? view.landings.get(h.position) : undefined;
        return (
          <section class="blame-hunk" aria-label={`Lines ${h.start} to ${h.end}`}>
            {landing ? (
              <LandingAttribution repo={repo} landing={landing} />
            ) : (
              <CommitAttribution repo={repo} view={view} sha={h.commits[0]!} />
            )}
            {raw(linesHtml(h, html))}
          </section>
        );
      })}
    </div>
  );
}

/** `rawHref`: the file's CDN URL when the instance has one (browse/cdn-links.ts). */
export function BlameSummary({ view, rawHref }: { view: BlameView; rawHref?: string }) {
  const { repo, loc } = view;
  const n = view.lines.length;
  const landings = view.landings.size;
  return (
    <div class="blame-summary">
      <span class="hint">
        {n} line{n === 1 ? "" : "s"} · {landings} landing{landings === 1 ? "" : "s"}
      </span>
      <nav class="file-actions" aria-label="File">
        <a href={blobUrl(repo, loc.ref, loc.path)}>View file</a>
        <a href={rawHref ?? rawUrl(repo, loc.ref, loc.path)}>Raw</a>
        <a href={commitsUrl(repo, loc.ref, loc.path)}>History</a>
      </nav>
    </div>
  );
}

/** Escaped lines for when highlighting is not available (the blame's own line text). */
export const plainLines = (view: BlameView) => view.lines.map((l) => escapeHtml(l.content));
