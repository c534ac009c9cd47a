// The project limit on the administration page of an account: how many projects it owns,
// the limit in force, and a form to set its own limit or go back to the instance default.
import { Hono } from "hono";
import { getAccountByHandle } from "../accounts/accounts-service.ts";
import { accountPage } from "../admin/admin-accounts-pages.tsx";
import { requireAdmin } from "../admin/admin-api.ts";
import { invalid } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { CsrfField } from "../web/layout.tsx";
import { formFailure, formFields } from "../web/page.ts";
import type { limitsJson } from "./limits-api.ts";
import { setProjectLimit } from "./project-limit.ts";

export function ProjectLimitForm(props: { limits: Awaited<ReturnType<typeof limitsJson>>; csrf: string }) {
  const l = props.limits;
  return (
    <form method="post" action={`/admin/users/${l.handle}/project-limit`} class="card">
      <h2>Project limit</h2>
      <p>
        Owns {l.projects} of {l.effective_limit} projects
        {l.project_limit === null
          ? ` (the instance default, ${l.default_limit}).`
          : " (set for this account)."}
      </p>
      <CsrfField token={props.csrf} />
      <label for="project_limit">Limit (empty: the instance default)</label>
      <input
        id="project_limit"
        name="project_limit"
        type="number"
        min={0}
        max={1000000}
        value={l.project_limit === null ? "" : String(l.project_limit)}
      />
      <p>
        <button type="submit">Save limit</button>
      </p>
    </form>
  );
}

export const limitsPages = new Hono<AppEnv>();
limitsPages.post("/admin/users/:handle/project-limit", async (c) => {
  requireAdmin(c);
  const db = c.get("forge").db;
  const handle = c.req.param("handle");
  const values = await formFields(c);
  try {
    const raw = (values.project_limit ?? "").trim();
    if (raw !== "" && !/^\d{1,7}$/.test(raw)) throw invalid("The project limit must be a whole number");
    const account = await getAccountByHandle(db, handle);
    await setProjectLimit(db, c.get("viewer"), account, raw === "" ? null : Number(raw));
    return c.redirect(`/admin/users/${account.handle}`, 303);
  } catch (err) {
    const f = formFailure(err);
    return accountPage(c, handle, f.message, 400);
  }
});
