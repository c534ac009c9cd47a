// Settings → Linked accounts: the accounts at other services the user signs in with, links to
// add one for each configured provider not yet linked, and unlinking (refused for the last
// way to sign in).
import { Hono } from "hono";
import { signInMethods } from "../accounts/sign-in-methods.ts";
import { SettingsNav } from "../devices/settings-nav.tsx";
import type { AppEnv } from "../http/context.ts";
import { Layout, PostButton } from "../web/layout.tsx";
import { formFailure, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { listIdentities } from "./identities.ts";
import { unlinkIdentity } from "./oauth-service.ts";
import { configuredProviders, providerName } from "./providers.ts";

export const linkedAccountsPages = new Hono<AppEnv>();
const PATH = "/settings/linked-accounts";
linkedAccountsPages.use(PATH, requireSignedIn);
linkedAccountsPages.use(`${PATH}/*`, requireSignedIn);

type Ctx = Parameters<typeof meta>[0];
const day = (d: Date) => d.toISOString().slice(0, 10);

async function linkedPage(c: Ctx, notice?: string, error?: string, status: 200 | 404 | 409 = 200) {
  const { db, config } = c.get("forge");
  const user = c.get("viewer").user!;
  const identities = await listIdentities(db, user.id);
  const methods = await signInMethods(db, user.id);
  const linked = new Set(identities.map((i) => i.provider));
  const available = configuredProviders(config).filter((p) => !linked.has(p.id));
  const csrf = c.get("csrfToken");
  return c.html(
    <Layout {...meta(c, "Linked accounts")}>
      <SettingsNav current={PATH} />
      <h1>Linked accounts</h1>
      <p class="hint">
        Accounts at other services you can sign in with. They are matched by the service's account id, never
        by email address.
      </p>
      {notice ? (
        <div class="notice" role="status">
          {notice}
        </div>
      ) : null}
      {error ? (
        <div class="alert" role="alert">
          {error}
        </div>
      ) : null}
      {identities.length === 0 ? (
        <p class="empty">No linked accounts.</p>
      ) : (
        <ul class="list" id="identities">
          {identities.map((i) => (
            <li data-provider={i.provider}>
              <strong>{providerName(config, i.provider)}</strong> {i.login}
              <p>
                linked {day(i.created_at)}
                {i.last_used_at ? ` · last used ${day(i.last_used_at)}` : ""}
              </p>
              {methods.total > 1 ? (
                <PostButton action={`${PATH}/${encodeURIComponent(i.id)}/unlink`} csrf={csrf} class="link">
                  Unlink
                </PostButton>
              ) : (
                <p class="hint">
                  Your only way to sign in: set a password or link another account to unlink it.
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
      {available.length > 0 ? (
        <div class="card" id="link-more">
          <h2>Link another account</h2>
          <p>
            {available.map((p) => (
              <>
                <a class="button secondary" href={`/auth/${p.id}?next=${encodeURIComponent(PATH)}`}>
                  {`Link a ${p.name} account`}
                </a>{" "}
              </>
            ))}
          </p>
        </div>
      ) : null}
    </Layout>,
    status,
  );
}

linkedAccountsPages.get(PATH, (c) => {
  const linked = c.req.query("linked");
  const name = linked ? providerName(c.get("forge").config, linked.slice(0, 20)) : "";
  return linkedPage(c, linked ? `${name} account linked.` : undefined);
});

linkedAccountsPages.post(`${PATH}/:id/unlink`, async (c) => {
  const v = c.get("viewer");
  try {
    await unlinkIdentity(c.get("forge").db, { user: v.user!, ip: v.ip }, c.req.param("id").slice(0, 40));
  } catch (err) {
    const f = formFailure(err as Error);
    return linkedPage(c, undefined, f.message, f.status === 404 ? 404 : 409);
  }
  return linkedPage(c, "Account unlinked.");
});
