// Settings page for personal access tokens: list (scopes, projects, expiry, last use), create
// (the secret is shown once; optionally limited to projects), revoke.
import { SCOPE_DESCRIPTIONS, SCOPES, type Scope } from "@micelio/core";
import { Hono } from "hono";
import { SettingsNav } from "../devices/settings-nav.tsx";
import type { AppEnv } from "../http/context.ts";
import { Alert, CsrfField, FieldErrors, Layout, PostButton } from "../web/layout.tsx";
import { formFailure, formFields, formList, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { createToken, listTokens, revokeToken } from "./tokens-service.ts";

export const tokenPages = new Hono<AppEnv>();
/** Ticked on a new token: what mic needs; org:admin, user and admin are asked for on purpose. */
const DEFAULT_SCOPES: readonly Scope[] = ["project:read", "project:write", "session:write"];
tokenPages.use("/settings/*", requireSignedIn);

async function page(
  c: Parameters<typeof meta>[0],
  opts: {
    created?: { token: string; name: string };
    failure?: { message: string; fields: Record<string, string> };
    status?: 200 | 400 | 403;
  },
) {
  const user = c.get("viewer").user!;
  const tokens = await listTokens(c.get("forge").db, user.id);
  const csrf = c.get("csrfToken");
  return c.html(
    <Layout {...meta(c, "Access tokens")}>
      <SettingsNav current="/settings/tokens" />
      <h1>Personal access tokens</h1>
      <p class="hint">Tokens let mic, scripts and git authenticate as you. Treat them like passwords.</p>
      {opts.created ? (
        <div class="notice" role="status">
          <p>
            Token <strong>{opts.created.name}</strong> created. Copy it now: it will not be shown again.
          </p>
          <p class="secret" id="new-token">
            {opts.created.token}
          </p>
        </div>
      ) : null}
      {tokens.length === 0 ? (
        <div class="empty">You have no tokens yet.</div>
      ) : (
        <ul class="list">
          {tokens.map((t) => (
            <li>
              <strong>{t.name}</strong> <code>{t.prefix}…</code>
              <p>
                {t.scopes.join(", ")} ·{" "}
                {t.projects
                  ? `only ${t.projects.length > 0 ? t.projects.join(", ") : "deleted projects"}`
                  : "all projects"}{" "}
                · {t.expires_at ? `expires ${t.expires_at.slice(0, 10)}` : "never expires"} ·{" "}
                {t.last_used_at ? `last used ${t.last_used_at.slice(0, 10)}` : "never used"}
              </p>
              <PostButton action={`/settings/tokens/${t.id}/delete`} csrf={csrf} class="link">
                Revoke
              </PostButton>
            </li>
          ))}
        </ul>
      )}
      <form method="post" action="/settings/tokens" class="card">
        <h2>New token</h2>
        <Alert message={opts.failure?.message} />
        <CsrfField token={csrf} />
        <label for="name">Name</label>
        <input id="name" name="name" required maxlength={100} placeholder="laptop mic" />
        <FieldErrors errors={opts.failure?.fields} field="name" />
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.filter((s) => s !== "admin" || user.is_admin).map((s) => (
            <label class="choice">
              <input type="checkbox" name="scopes" value={s} checked={DEFAULT_SCOPES.includes(s)} />{" "}
              <code>{s}</code> — {SCOPE_DESCRIPTIONS[s]}
            </label>
          ))}
        </fieldset>
        <FieldErrors errors={opts.failure?.fields} field="scopes" />
        <label for="projects">Only these projects (optional, owner/name, one a line)</label>
        <textarea id="projects" name="projects" rows={3} placeholder="ada/website" />
        <p class="hint">
          A project token reaches nothing else, public projects included, and carries only project:read,
          project:write and session:write.
        </p>
        <FieldErrors errors={opts.failure?.fields} field="projects" />
        <label for="expires">Expires on (optional)</label>
        <input id="expires" name="expires" type="date" />
        <FieldErrors errors={opts.failure?.fields} field="expires_at" />
        <p>
          <button type="submit">Create token</button>
        </p>
      </form>
    </Layout>,
    opts.status ?? 200,
  );
}

tokenPages.get("/settings/tokens", (c) => page(c, {}));
tokenPages.get("/settings", (c) => c.redirect("/settings/tokens", 302));

tokenPages.post("/settings/tokens", async (c) => {
  const values = await formFields(c);
  const scopes = await formList(c, "scopes");
  const expires = values.expires ? new Date(`${values.expires}T23:59:59Z`) : null;
  const projects = (values.projects ?? "")
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  try {
    const created = await createToken(
      c.get("forge").db,
      c.get("viewer").user!,
      {
        name: values.name ?? "",
        scopes,
        expires_at:
          expires && !Number.isNaN(expires.getTime())
            ? expires.toISOString()
            : values.expires
              ? "invalid"
              : null,
        ...(projects.length > 0 ? { projects } : {}),
      },
      c.get("viewer"),
    );
    return page(c, { created });
  } catch (err) {
    const f = formFailure(err);
    return page(c, { failure: f, status: f.status as 400 });
  }
});

tokenPages.post("/settings/tokens/:id/delete", async (c) => {
  await revokeToken(c.get("forge").db, c.get("viewer").user!, c.req.param("id"), c.get("viewer"));
  return c.redirect("/settings/tokens", 303);
});
