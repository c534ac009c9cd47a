// Commit pages: the paginated history list, one commit's message and metadata, the list
// of changed files, and the diff (escaped; added and removed lines styled; binary noted).
import { raw } from "hono/html";
import { escapeHtml } from "../render/index.ts";
import type { Repo } from "./browse-service.ts";
import { blobUrl, commitUrl, shortSha, TimeAgo, treeUrl } from "./browse-views.tsx";
import type { CommitInfo, FileChange, FilePatch } from "./git-history.ts";

export function CommitList({ repo, commits }: { repo: Repo; commits: CommitInfo[] }) {
  return (
    <ul class="list commit-list">
      {commits.map((c) => (
        <li>
          <a href={commitUrl(repo, c.sha)} class="commit-subject">
            {c.subject || "(no message)"}
          </a>
          <p>
            <span>{c.author.name}</span> committed <TimeAgo date={c.committer.date} /> ·{" "}
            <a href={commitUrl(repo, c.sha)}>
              <code>{shortSha(c.sha)}</code>
            </a>{" "}
            · <a href={treeUrl(repo, c.sha)}>Browse files</a>
          </p>
        </li>
      ))}
    </ul>
  );
}

export function CommitMeta({ repo, commit }: { repo: Repo; commit: CommitInfo }) {
  const body = commit.message.slice(commit.subject.length).trim();
  return (
    <section class="card commit-meta">
      <h2 class="commit-title">{commit.subject || "(no message)"}</h2>
      {body ? <pre class="commit-body">{body}</pre> : null}
      <p>
        <strong>{commit.author.name}</strong> authored <TimeAgo date={commit.author.date} />
        {commit.committer.name !== commit.author.name ? (
          <>
            {" "}
            · <strong>{commit.committer.name}</strong> committed <TimeAgo date={commit.committer.date} />
          </>
        ) : null}
      </p>
      <p class="mono commit-ids">
        commit {commit.sha}
        {commit.parents.map((p, i) => (
          <>
            <br />
            {i === 0 ? "parent" : "merged"} <a href={commitUrl(repo, p)}>{shortSha(p)}</a>
          </>
        ))}
      </p>
      <a href={treeUrl(repo, commit.sha)}>Browse files at this commit</a>
    </section>
  );
}

const STATUS_LABEL: Record<FileChange["status"], string> = {
  added: "added",
  modified: "modified",
  deleted: "deleted",
  renamed: "renamed",
  copied: "copied",
  type_changed: "type changed",
};

function counts(f: FileChange): string {
  return f.binary ? "binary" : `+${f.additions ?? 0} −${f.deletions ?? 0}`;
}

function lineClass(line: string): string {
  if (line.startsWith("@@")) return "d-hunk";
  if (line.startsWith("+")) return "d-add";
  if (line.startsWith("-")) return "d-del";
  if (line.startsWith("\\")) return "d-note";
  return "d-ctx";
}

/** One file's hunks as a table (built as a string: big diffs have many rows). */
function diffTableHtml(patch: FilePatch): string {
  const rows = patch.lines.map(
    (line) => `<tr class="${lineClass(line)}"><td class="lc">${escapeHtml(line)}</td></tr>`,
  );
  return `<div class="code-scroll"><table class="code diff"><tbody>${rows.join("")}</tbody></table></div>`;
}

export function DiffView(props: {
  repo: Repo;
  commit: CommitInfo;
  files: FileChange[];
  patches: FilePatch[];
  truncated: boolean;
}) {
  const { repo, commit, files, patches } = props;
  const added = files.reduce((n, f) => n + (f.additions ?? 0), 0);
  const removed = files.reduce((n, f) => n + (f.deletions ?? 0), 0);
  return (
    <section class="diff-view">
      <h2>
        {files.length} file{files.length === 1 ? "" : "s"} changed{" "}
        <span class="hint">
          (+{added} −{removed})
        </span>
      </h2>
      <ul class="changed-files">
        {files.map((f, i) => (
          <li>
            <span class={`status status-${f.status}`}>{STATUS_LABEL[f.status]}</span>{" "}
            <a href={`#diff-${i + 1}`}>{f.oldPath ? `${f.oldPath} → ${f.path}` : f.path}</a>{" "}
            <span class="hint">{counts(f)}</span>
          </li>
        ))}
      </ul>
      {files.map((f, i) => {
        const patch = patches[i];
        return (
          <article class="diff-file" id={`diff-${i + 1}`}>
            <header class="diff-file-header">
              <strong>{f.oldPath ? `${f.oldPath} → ${f.path}` : f.path}</strong>{" "}
              <span class="hint">{counts(f)}</span>{" "}
              {f.status !== "deleted" ? <a href={blobUrl(repo, commit.sha, f.path)}>View file</a> : null}
            </header>
            {f.binary ? (
              <p class="hint">Binary file not shown.</p>
            ) : patch && patch.lines.length > 0 ? (
              raw(diffTableHtml(patch))
            ) : patch ? (
              <p class="hint">No content changes (mode or name only).</p>
            ) : (
              <p class="hint">Diff not shown: the patch is too large.</p>
            )}
          </article>
        );
      })}
      {props.truncated ? (
        <div class="notice">
          This diff is too large to show in full; some files are cut short or left out.
        </div>
      ) : null}
    </section>
  );
}
