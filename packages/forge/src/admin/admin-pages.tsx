// Administration pages: the job queue (with the dead-letter list and retry) and the
// instance-wide audit log; the overview, registration, accounts and projects pages
// (admin-instance-, admin-accounts-, admin-projects-pages.tsx) are mounted behind the same
// guard. To anyone but an administrator they do not exist.
import { Hono } from "hono";
import { listAudit } from "../audit/audit.ts";
import { auditQuery } from "../audit/audit-export.ts";
import { AuditFilterForm, filterValues, jsonlAnswer, withFilters } from "../audit/audit-filters.tsx";
import { AuditTable } from "../audit/audit-table.tsx";
import type { AppEnv } from "../http/context.ts";
import { countByState, JOB_STATES, type JobState, listJobs } from "../jobs/index.ts";
import { Layout, PostButton } from "../web/layout.tsx";
import { meta } from "../web/page.ts";
import { adminAccountsPages } from "./admin-accounts-pages.tsx";
import { requireAdmin, retryDeadJob } from "./admin-api.ts";
import { adminInstancePages } from "./admin-instance-pages.tsx";
import { AdminNav } from "./admin-nav.tsx";
import { adminProjectsPages } from "./admin-projects-pages.tsx";

export const adminPages = new Hono<AppEnv>();
adminPages.use("/admin", async (c, next) => {
  requireAdmin(c);
  await next();
});
adminPages.use("/admin/*", async (c, next) => {
  requireAdmin(c);
  await next();
});
// Overview, registration and invites; accounts and projects (guarded by the middleware above).
adminPages.route("/", adminInstancePages);
adminPages.route("/", adminAccountsPages);
adminPages.route("/", adminProjectsPages);

adminPages.get("/admin/jobs", async (c) => {
  const db = c.get("forge").db;
  const requested = c.req.query("state");
  const state = (JOB_STATES as readonly string[]).includes(requested ?? "")
    ? (requested as JobState)
    : undefined;
  const [counts, jobs] = await Promise.all([countByState(db), listJobs(db, { state, limit: 100 })]);
  return c.html(
    <Layout {...meta(c, "Jobs · Administration")}>
      <h1>Background jobs</h1>
      <AdminNav />
      <p>
        {JOB_STATES.map((s) => (
          <>
            <a href={`/admin/jobs?state=${s}`}>
              {s}: {counts[s]}
            </a>{" "}
          </>
        ))}
      </p>
      {jobs.length === 0 ? (
        <div class="empty">
          {state === "dead" ? "No dead jobs. Everything that failed was retried successfully." : "No jobs."}
        </div>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>#</th>
                <th>Kind</th>
                <th>State</th>
                <th>Attempts</th>
                <th>Last error</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr>
                  <td>{j.id}</td>
                  <td>
                    <code>{j.kind}</code>
                  </td>
                  <td>{j.state}</td>
                  <td>
                    {j.attempts}/{j.max_attempts}
                  </td>
                  <td>{j.last_error ?? ""}</td>
                  <td>
                    {j.state === "dead" ? (
                      <PostButton
                        action={`/admin/jobs/${j.id}/retry`}
                        csrf={c.get("csrfToken")}
                        class="small"
                      >
                        Retry
                      </PostButton>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>,
  );
});

adminPages.post("/admin/jobs/:id/retry", async (c) => {
  const raw = c.req.param("id");
  await retryDeadJob(c, /^\d{1,10}$/.test(raw) ? Number(raw) : 0);
  return c.redirect("/admin/jobs?state=dead", 303);
});

adminPages.get("/admin/audit", async (c) => {
  const db = c.get("forge").db;
  const values = filterValues(c);
  const q = auditQuery({ ...values, before: c.req.query("before") });
  if (c.req.query("format") === "jsonl") return jsonlAnswer(c, db, q, "audit.jsonl");
  const entries = await listAudit(db, { ...q, limit: 100 });
  return c.html(
    <Layout {...meta(c, "Audit log · Administration")}>
      <h1>Audit log</h1>
      <AdminNav />
      <AuditFilterForm action="/admin/audit" values={values} />
      <AuditTable entries={entries} />
      {entries.length === 100 ? (
        <a href={withFilters("/admin/audit", values, { before: String(entries[entries.length - 1].id) })}>
          Older entries
        </a>
      ) : null}
    </Layout>,
  );
});
