// /orgs/{org}/tokens: an organization's access tokens, for its owners (org-tokens.ts has the
// rules: each limited to named projects of the org, acting as the owner who made it, revoked by
// any owner; the secret is shown once). Others get a 404, as for the org's other settings.

import type { Context } from "hono";
import { Hono } from "hono";
import type { Account } from "../db/schema.ts";
import { notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { getOrg, orgRole } from "../orgs/orgs-service.ts";
import { Layout } from "../web/layout.tsx";
import { formFailure, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { createOrgToken, listOrgTokens, revokeOrgToken } from "./org-tokens.ts";
import { PROJECT_TOKEN_SCOPES } from "./project-tokens.ts";
import { CreatedToken, NewTokenForm, TokenList, tokenInput } from "./token-form.tsx";

export const orgTokenPages = new Hono<AppEnv>();
orgTokenPages.use("/orgs/:org/tokens", requireSignedIn);
orgTokenPages.use("/orgs/:org/tokens/*", requireSignedIn);

async function ownedOrg(c: Context<AppEnv>): Promise<Account> {
  const db = c.get("forge").db;
  const org = await getOrg(db, c.req.param("org")!);
  if ((await orgRole(db, org.id, c.get("viewer").user?.id)) !== "owner") throw notFound();
  return org;
}

async function page(
  c: Context<AppEnv>,
  org: Account,
  opts: {
    created?: { token: string; name: string };
    failure?: { message: string; fields: Record<string, string> };
    status?: 200 | 400 | 403;
  } = {},
) {
  const tokens = await listOrgTokens(c.get("forge").db, c.get("viewer"), org);
  const csrf = c.get("csrfToken");
  const base = `/orgs/${org.handle}/tokens`;
  return c.html(
    <Layout {...meta(c, `${org.handle}: access tokens`)}>
      <p>
        <a href={`/orgs/${org.handle}/members`}>← {org.handle} settings</a>
      </p>
      <h1>{org.handle}: access tokens</h1>
      <p class="hint">
        Tokens for CI and agents that work on this organization's projects. Each reaches only the projects
        named on it, acts as the owner who made it (the audit log names them), and stops working when that
        person is no longer an owner. Any owner may revoke any of them.
      </p>
      <CreatedToken created={opts.created} />
      <TokenList
        tokens={tokens}
        csrf={csrf}
        revokeBase={base}
        empty="No organization tokens yet. Make one below for a CI job or an agent."
      />
      <NewTokenForm
        action={base}
        csrf={csrf}
        scopes={PROJECT_TOKEN_SCOPES}
        checked={PROJECT_TOKEN_SCOPES}
        failure={opts.failure}
        projectsLabel="Projects (owner/name, one a line; at least one)"
        projectsHint={`Only projects of ${org.handle}. Nothing else exists for the token, public projects included.`}
        projectsPlaceholder={`${org.handle}/website`}
      />
    </Layout>,
    opts.status ?? 200,
  );
}

orgTokenPages.get("/orgs/:org/tokens", async (c) => page(c, await ownedOrg(c)));

orgTokenPages.post("/orgs/:org/tokens", async (c) => {
  const org = await ownedOrg(c);
  try {
    const created = await createOrgToken(
      c.get("forge").db,
      c.get("viewer"),
      org,
      await tokenInput(c),
      c.get("viewer"),
    );
    return page(c, org, { created });
  } catch (err) {
    const f = formFailure(err);
    return page(c, org, { failure: f, status: f.status as 400 });
  }
});

orgTokenPages.post("/orgs/:org/tokens/:id/delete", async (c) => {
  const org = await ownedOrg(c);
  await revokeOrgToken(c.get("forge").db, c.get("viewer"), org, c.req.param("id"), c.get("viewer"));
  return c.redirect(`/orgs/${org.handle}/tokens`, 303);
});
