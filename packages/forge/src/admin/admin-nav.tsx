// What the administration pages share: the navigation, search form and pager, byte sizes.
import type { Context } from "hono";
import type { AppEnv } from "../http/context.ts";
export const AdminNav = () => (
  <nav aria-label="Administration">
    <a href="/admin">Overview</a> · <a href="/admin/users">Accounts</a> ·{" "}
    <a href="/admin/projects">Projects</a> · <a href="/admin/registration">Registration</a> ·{" "}
    <a href="/admin/jobs">Jobs</a> · <a href="/admin/jobs?state=dead">Dead jobs</a> ·{" "}
    <a href="/admin/audit">Audit log</a> · <a href="/admin/review">Review</a> ·{" "}
    <a href="/admin/errors">Errors</a>
  </nav>
);

/** Bytes in a readable unit (KiB, MiB, GiB). */
export function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[i]}`;
}

export const PAGE = 50;

export function paging(c: Context<AppEnv>) {
  const q = (c.req.query("q") ?? "").slice(0, 200);
  const page = Math.max(1, Math.min(Number(c.req.query("page")) || 1, 2000));
  return { q, page, offset: (page - 1) * PAGE };
}

export function SearchForm(props: { action: string; q: string; label: string }) {
  return (
    <form method="get" action={props.action}>
      <label for="q">{props.label}</label>
      <input id="q" name="q" type="search" value={props.q} />
      <button type="submit">Search</button>
    </form>
  );
}

export function Pager(props: { base: string; q: string; page: number; more: boolean }) {
  const link = (p: number) => `${props.base}?q=${encodeURIComponent(props.q)}&page=${p}`;
  return (
    <p>
      {props.page > 1 ? <a href={link(props.page - 1)}>Previous</a> : null}{" "}
      {props.more ? <a href={link(props.page + 1)}>Next</a> : null}
    </p>
  );
}
