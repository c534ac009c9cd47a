// Webhook settings pages: a project's (/{owner}/{project}/settings/hooks, its administrators)
// and an organization's (/orgs/{org}/hooks, its owners): the hooks with their state, a form to
// add one (the secret is shown once), and per hook its settings, its recent deliveries with
// the answer each got, "redeliver" and delete. Forms call the same services as the API.
import type { Context } from "hono";
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { isAdmin } from "../accounts/viewer.ts";
import { notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { getOrg, orgRole } from "../orgs/orgs-service.ts";
import { getProject } from "../projects/projects-service.ts";
import { projectPage } from "../sessions/session-views.tsx";
import { Alert, CsrfField, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { redeliver } from "./deliver.ts";
import { HOOK_EVENT_HELP, HOOK_EVENTS } from "./hook-events.ts";
import {
  createHook,
  deleteHook,
  FORMATS,
  getHook,
  type HookScope,
  hookJson,
  listDeliveries,
  listHooks,
  updateHook,
} from "./hooks-service.ts";

export const hooksPages = new Hono<AppEnv>();

interface Place {
  scope: HookScope;
  base: string;
  title: string;
  render: (c: Context<AppEnv>, title: string, body: Child, status?: number) => Promise<Response> | Response;
}

/** Where the path points, checked: the project's administrators or the organization's owners. */
async function placeOf(c: Context<AppEnv>): Promise<Place> {
  const db = c.get("forge").db;
  const viewer = c.get("viewer");
  const org = c.req.param("org");
  if (org) {
    const account = await getOrg(db, org);
    if (!isAdmin(viewer) && (await orgRole(db, account.id, viewer.user?.id)) !== "owner") throw notFound();
    return {
      scope: { kind: "org", org: account.handle },
      base: `/orgs/${account.handle}/hooks`,
      title: account.handle,
      render: (cc, title, body, status = 200) =>
        cc.html(
          <Layout {...meta(cc, `${title} · ${account.handle}`)}>
            <h1>
              <a href={`/${account.handle}`}>{account.display_name || account.handle}</a> · webhooks
            </h1>
            {body}
          </Layout>,
          status as 200,
        ),
    };
  }
  const { project } = await getProject(db, viewer, c.req.param("owner")!, c.req.param("project")!, "admin");
  return {
    scope: { kind: "project", owner: project.owner_handle, project: project.handle },
    base: `/${project.owner_handle}/${project.handle}/settings/hooks`,
    title: `${project.owner_handle}/${project.handle}`,
    render: (cc, title, body, status = 200) => {
      cc.status(status as 200);
      return projectPage(cc, project, title, "sessions", body);
    },
  };
}

const deps = (c: Context<AppEnv>) => {
  const f = c.get("forge");
  return { db: f.db, secrets: f.secrets, outbound: f.outbound };
};

function HookFields(props: { hook?: ReturnType<typeof hookJson>; values?: Record<string, string> }) {
  const { hook, values } = props;
  const chosen = new Set(values?.events?.split(",") ?? hook?.events ?? ["push", "session.landed"]);
  const format = values?.format ?? hook?.format ?? "json";
  return (
    <>
      <label for="hook-url">Payload URL</label>
      <input
        id="hook-url"
        name="url"
        type="url"
        required
        maxlength={2000}
        value={values?.url ?? hook?.url ?? ""}
        placeholder="https://example.com/hooks/micelio"
      />
      <label for="hook-secret">
        {hook ? "New secret (leave empty to keep the current one)" : "Secret (leave empty to generate one)"}
      </label>
      <input id="hook-secret" name="secret" minlength={8} maxlength={200} autocomplete="off" />
      <label for="hook-format">Format</label>
      <select id="hook-format" name="format">
        {FORMATS.map((f) => (
          <option value={f} selected={f === format}>
            {f === "json"
              ? "JSON (signed, documented schema)"
              : f === "slack"
                ? "Slack incoming webhook"
                : "Discord webhook"}
          </option>
        ))}
      </select>
      <fieldset>
        <legend>Events</legend>
        {HOOK_EVENTS.map((e) => (
          <label class="check">
            <input type="checkbox" name="events" value={e} checked={chosen.has(e)} /> <code>{e}</code>:{" "}
            {HOOK_EVENT_HELP[e]}
          </label>
        ))}
      </fieldset>
    </>
  );
}

async function listPage(
  c: Context<AppEnv>,
  extra?: {
    created?: { id: string; secret: string };
    failure?: ReturnType<typeof formFailure>;
    values?: Record<string, string>;
  },
) {
  const place = await placeOf(c);
  const hooks = await listHooks(c.get("forge").db, c.get("viewer"), place.scope);
  const csrf = c.get("csrfToken");
  return place.render(
    c,
    "Webhooks",
    <>
      <h2>Webhooks</h2>
      <p class="hint">
        The forge POSTs each chosen event to a hook's URL, signed with its secret (
        <code>X-Micelio-Signature-256</code>). Addresses on private networks are refused.{" "}
        <a href="/docs/webhooks">How to receive them</a>
      </p>
      {extra?.created ? (
        <p class="notice">
          Hook added. Its secret, shown only now: <code>{extra.created.secret}</code>
        </p>
      ) : null}
      {extra?.failure ? <Alert message={extra.failure.message} /> : null}
      {hooks.length ? (
        <ul class="list">
          {hooks.map((h) => (
            <li>
              <a href={`${place.base}/${h.id}`}>{h.url}</a> <span class="badge">{h.format}</span>{" "}
              {h.active ? <span class="badge">active</span> : <span class="badge danger">disabled</span>}
              <br />
              <small>{h.events.join(", ")}</small>
              {h.disabled_reason ? (
                <>
                  <br />
                  <small>{h.disabled_reason}</small>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="empty">No webhooks yet. Add one to tell chat, CI or your own service what happens here.</p>
      )}
      <form method="post" action={place.base} class="card">
        <h2>Add a webhook</h2>
        <CsrfField token={csrf} />
        <HookFields values={extra?.values} />
        <p>
          <button type="submit">Add webhook</button>
        </p>
      </form>
    </>,
    extra?.failure?.status ?? 200,
  );
}

async function hookPage(
  c: Context<AppEnv>,
  extra?: { failure?: ReturnType<typeof formFailure>; notice?: string },
) {
  const place = await placeOf(c);
  const db = c.get("forge").db;
  const id = c.req.param("id")!;
  const { hook } = await getHook(db, c.get("viewer"), place.scope, id);
  const deliveries = await listDeliveries(db, c.get("viewer"), place.scope, id, 30);
  const h = hookJson(hook);
  const csrf = c.get("csrfToken");
  const here = `${place.base}/${h.id}`;
  return place.render(
    c,
    `Webhook ${h.url}`,
    <>
      <p>
        <a href={place.base}>← Webhooks</a>
      </p>
      <h2>{h.url}</h2>
      {extra?.notice ? <p class="notice">{extra.notice}</p> : null}
      {extra?.failure ? <Alert message={extra.failure.message} /> : null}
      {h.active ? null : (
        <Alert
          message={`This hook is disabled${h.disabled_reason ? `: ${h.disabled_reason}` : ""}. Turn it on below once its receiver answers.`}
        />
      )}
      <form method="post" action={here} class="card">
        <CsrfField token={csrf} />
        <HookFields hook={h} />
        <label class="check">
          <input type="checkbox" name="active" value="on" checked={h.active} /> Active
        </label>
        <p>
          <button type="submit">Save webhook</button>
        </p>
      </form>
      <section class="card" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Recent deliveries</h2>
        {deliveries.length ? (
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th>When</th>
                  <th>Event</th>
                  <th>Result</th>
                  <th>Attempts</th>
                  <th>Time</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {deliveries.map((d) => (
                  <tr id={`delivery-${d.id}`}>
                    <td>
                      <time datetime={d.created_at}>{d.created_at.replace("T", " ").slice(0, 19)}</time>
                    </td>
                    <td>
                      <code>{d.event}</code>
                      {d.redelivery_of ? <small> (again)</small> : null}
                    </td>
                    <td>
                      {d.state}
                      {d.status !== null ? ` · ${d.status}` : ""}
                      {d.error ? (
                        <>
                          <br />
                          <small>{d.error}</small>
                        </>
                      ) : null}
                      {d.response_excerpt ? (
                        <details>
                          <summary>Answer</summary>
                          <pre>{d.response_excerpt}</pre>
                        </details>
                      ) : null}
                    </td>
                    <td>{d.attempts}</td>
                    <td>{d.duration_ms !== null ? `${d.duration_ms} ms` : "–"}</td>
                    <td>
                      <form method="post" action={`${here}/redeliver`} class="inline">
                        <CsrfField token={csrf} />
                        <input type="hidden" name="delivery" value={d.id} />
                        <button type="submit" class="secondary">
                          Redeliver
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="empty">Nothing delivered yet: deliveries appear here as the chosen events happen.</p>
        )}
      </section>
      <form method="post" action={`${here}/delete`} class="card danger-zone">
        <h2>Delete this webhook</h2>
        <CsrfField token={csrf} />
        <p>
          <button type="submit" class="danger">
            Delete webhook
          </button>
        </p>
      </form>
    </>,
    extra?.failure?.status ?? 200,
  );
}

const formInput = (f: Record<string, string>, edit: boolean) => ({
  url: f.url,
  events: (f.events ?? "").split(",").filter(Boolean),
  format: f.format || "json",
  ...(f.secret ? { secret: f.secret } : {}),
  ...(edit ? { active: f.active === "on" } : {}),
});

for (const base of ["/:owner/:project/settings/hooks", "/orgs/:org/hooks"]) {
  hooksPages.use(base, requireSignedIn);
  hooksPages.use(`${base}/*`, requireSignedIn);
  hooksPages.get(base, (c) => listPage(c));
  hooksPages.post(base, async (c) => {
    const f = await formFields(c);
    const place = await placeOf(c);
    try {
      const created = await createHook(deps(c), c.get("viewer"), place.scope, formInput(f, false));
      return listPage(c, { created });
    } catch (err) {
      return listPage(c, { failure: formFailure(err), values: f });
    }
  });
  hooksPages.get(`${base}/:id`, (c) => hookPage(c));
  hooksPages.post(`${base}/:id`, async (c) => {
    const f = await formFields(c);
    const place = await placeOf(c);
    try {
      await updateHook(deps(c), c.get("viewer"), place.scope, c.req.param("id")!, formInput(f, true));
      return hookPage(c, { notice: "Saved." });
    } catch (err) {
      return hookPage(c, { failure: formFailure(err) });
    }
  });
  hooksPages.post(`${base}/:id/redeliver`, async (c) => {
    const f = await formFields(c);
    const place = await placeOf(c);
    const { hook } = await getHook(c.get("forge").db, c.get("viewer"), place.scope, c.req.param("id")!);
    const id = await redeliver(c.get("forge").db, hook.id, f.delivery ?? "");
    if (!id) throw notFound("No such delivery");
    return hookPage(c, { notice: "Queued again: the new delivery appears below once it is sent." });
  });
  hooksPages.post(`${base}/:id/delete`, async (c) => {
    const place = await placeOf(c);
    await deleteHook(c.get("forge").db, c.get("viewer"), place.scope, c.req.param("id")!);
    return c.redirect(place.base, 303);
  });
}
