// Settings page for personal access tokens: list (scopes, projects, expiry, last use), create
// (the secret is shown once; optionally limited to projects), revoke.
import { SCOPES, type Scope } from "@micelio/core";
import { Hono } from "hono";
import { SettingsNav } from "../devices/settings-nav.tsx";
import type { AppEnv } from "../http/context.ts";
import { Layout } from "../web/layout.tsx";
import { formFailure, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { CreatedToken, NewTokenForm, TokenList, tokenInput } from "./token-form.tsx";
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
      <CreatedToken created={opts.created} />
      <TokenList tokens={tokens} csrf={csrf} revokeBase="/settings/tokens" empty="You have no tokens yet." />
      <NewTokenForm
        action="/settings/tokens"
        csrf={csrf}
        scopes={SCOPES.filter((s) => s !== "admin" || user.is_admin)}
        checked={DEFAULT_SCOPES}
        failure={opts.failure}
        projectsLabel="Only these projects (optional, owner/name, one a line)"
        projectsHint="A project token reaches nothing else, public projects included, and carries only project:read, project:write and session:write."
        projectsPlaceholder="ada/website"
      />
    </Layout>,
    opts.status ?? 200,
  );
}

tokenPages.get("/settings/tokens", (c) => page(c, {}));
tokenPages.get("/settings", (c) => c.redirect("/settings/tokens", 302));

tokenPages.post("/settings/tokens", async (c) => {
  try {
    const created = await createToken(
      c.get("forge").db,
      c.get("viewer").user!,
      await tokenInput(c),
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
