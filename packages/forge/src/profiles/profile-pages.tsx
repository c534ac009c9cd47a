// Profile routes: avatars (/users/:handle/avatar: the uploaded PNG or the identicon), the
// profile stylesheet, and the forms that edit a profile: /settings/profile for the signed-in
// user, /orgs/:org/profile for an organization's owners (bio, website, links, avatar).
import type { Context } from "hono";
import { Hono } from "hono";
import { getAccountByHandle, getVisibleAccount } from "../accounts/accounts-service.ts";
import type { Account } from "../db/schema.ts";
import { SettingsNav } from "../devices/settings-nav.tsx";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { getOrg } from "../orgs/orgs-service.ts";
import { Alert, CsrfField, FieldErrors, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { MAX_AVATAR_BYTES, readAvatar, removeAvatar, setAvatar } from "./avatars.ts";
import { identiconSvg } from "./identicon.ts";
import { MAX_BIO_LENGTH, NETWORK_LABELS, NETWORKS, readLinks } from "./links.ts";
import { PROFILE_CSS } from "./profile-css.ts";
import { avatarPath, requireProfileEditor, updateProfile } from "./profile-service.ts";
import { Avatar } from "./profile-views.tsx";

export const profilePages = new Hono<AppEnv>();

profilePages.get("/assets/profile.css", (c) =>
  c.body(PROFILE_CSS, 200, {
    "Content-Type": "text/css; charset=utf-8",
    "Cache-Control": "public, max-age=3600",
  }),
);

profilePages.get("/users/:handle/avatar", async (c) => {
  const forge = c.get("forge");
  const account = await getVisibleAccount(forge.db, c.get("viewer"), c.req.param("handle"));
  const png = await readAvatar(forge.config.dataDir, account);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  if (png) {
    const versioned = account.avatar && c.req.query("v") === account.avatar.slice(0, 16);
    c.header("Cache-Control", versioned ? "public, max-age=31536000, immutable" : "public, max-age=300");
    c.header("ETag", `"${account.avatar}"`);
    return c.body(new Uint8Array(png), 200, { "Content-Type": "image/png" });
  }
  c.header("Cache-Control", "public, max-age=86400");
  return c.body(identiconSvg(account.handle), 200, { "Content-Type": "image/svg+xml; charset=utf-8" });
});

type Target = { account: Account; action: string; title: string };

async function userTarget(c: Context<AppEnv>): Promise<Target> {
  const user = c.get("viewer").user!;
  const account = await getAccountByHandle(c.get("forge").db, user.handle);
  return { account, action: "/settings/profile", title: "Profile" };
}

async function orgTarget(c: Context<AppEnv>): Promise<Target> {
  const db = c.get("forge").db;
  const org = await getOrg(db, c.req.param("org")!);
  await requireProfileEditor(db, c.get("viewer"), org);
  return { account: org, action: `/orgs/${org.handle}/profile`, title: `${org.handle} profile` };
}

interface FormState {
  values?: Record<string, string>;
  failure?: { message: string; fields: Record<string, string> };
  notice?: string;
  status?: 200 | 400 | 403 | 404 | 409 | 413 | 415 | 429;
}

function page(c: Context<AppEnv>, t: Target, s: FormState) {
  const a = t.account;
  const links = readLinks(a.links);
  const v = (k: string, stored: string) => s.values?.[k] ?? stored;
  const csrf = c.get("csrfToken");
  const err = s.failure?.fields;
  return c.html(
    <Layout {...meta(c, t.title)}>
      <link rel="stylesheet" href="/assets/profile.css" />
      <h1>{a.kind === "org" ? `Profile of ${a.handle}` : "Your profile"}</h1>
      {a.kind === "user" ? <SettingsNav current="/settings/profile" /> : null}
      <p>
        <a href={`/${a.handle}`}>View profile</a>
      </p>
      {s.notice ? (
        <div class="notice" role="status">
          {s.notice}
        </div>
      ) : null}
      <Alert message={s.failure?.message} />
      <form method="post" action={t.action} class="card">
        <CsrfField token={csrf} />
        <label for="name">Name</label>
        <input id="name" name="name" maxlength={100} value={v("name", a.display_name)} />
        <FieldErrors errors={err} field="name" />
        <label for="bio">Bio</label>
        <textarea id="bio" name="bio" rows={3} maxlength={MAX_BIO_LENGTH} aria-describedby="bio-hint">
          {v("bio", a.bio)}
        </textarea>
        <p class="hint" id="bio-hint">
          At most {MAX_BIO_LENGTH} characters.
        </p>
        <FieldErrors errors={err} field="bio" />
        <label for="website">Website</label>
        <input
          id="website"
          name="website"
          inputmode="url"
          placeholder="example.com"
          value={v("website", a.website)}
        />
        <FieldErrors errors={err} field="website" />
        <fieldset>
          <legend>Social links</legend>
          <p class="hint">A URL, or for most networks just your handle (Mastodon: @you@instance).</p>
          {NETWORKS.map((n) => (
            <>
              <label for={`links-${n}`}>{NETWORK_LABELS[n]}</label>
              <input
                id={`links-${n}`}
                name={`links.${n}`}
                inputmode="url"
                value={v(`links.${n}`, links[n] ?? "")}
              />
              <FieldErrors errors={err} field={`links.${n}`} />
            </>
          ))}
        </fieldset>
        <p>
          <button type="submit">Save profile</button>
        </p>
      </form>
      <form method="post" action={`${t.action}/avatar`} enctype="multipart/form-data" class="card">
        <h2>Avatar</h2>
        <Avatar url={avatarPath(a)} name={a.display_name || a.handle} />
        <CsrfField token={csrf} />
        <label for="avatar">
          Upload a PNG, JPEG or WebP image (at most {MAX_AVATAR_BYTES / 1024 / 1024} MB)
        </label>
        <input id="avatar" name="avatar" type="file" accept="image/png,image/jpeg,image/webp" required />
        <FieldErrors errors={err} field="avatar" />
        <p>
          <button type="submit">Upload avatar</button>
        </p>
      </form>
      {a.avatar ? (
        <form method="post" action={`${t.action}/avatar/delete`} class="card">
          <CsrfField token={csrf} />
          <p>
            <button type="submit" class="link">
              Remove avatar (use the generated one)
            </button>
          </p>
        </form>
      ) : null}
    </Layout>,
    s.status ?? 200,
  );
}

function profileInput(values: Record<string, string>) {
  const links: Record<string, string> = {};
  for (const n of NETWORKS) if (values[`links.${n}`] !== undefined) links[n] = values[`links.${n}`]!;
  return { name: values.name, bio: values.bio, website: values.website, links };
}

function register(
  path: string,
  guard: typeof requireSignedIn,
  target: (c: Context<AppEnv>) => Promise<Target>,
) {
  profilePages.get(path, guard, async (c) =>
    page(c, await target(c), { notice: c.req.query("saved") ? "Saved." : undefined }),
  );
  profilePages.post(path, guard, async (c) => {
    const t = await target(c);
    const values = await formFields(c);
    try {
      await updateProfile(c.get("forge").db, c.get("viewer"), t.account, profileInput(values));
      return c.redirect(`${t.action}?saved=1`, 303);
    } catch (err) {
      const f = formFailure(err);
      return page(c, t, { values, failure: f, status: f.status });
    }
  });
  profilePages.post(`${path}/avatar`, guard, async (c) => {
    const t = await target(c);
    const forge = c.get("forge");
    try {
      if (Number(c.req.header("content-length") ?? 0) > MAX_AVATAR_BYTES + 64 * 1024) {
        throw new AppError("too_large", `Avatars must be at most ${MAX_AVATAR_BYTES / 1024 / 1024} MB`);
      }
      const file = (await c.req.parseBody()).avatar;
      const bytes = file instanceof File ? new Uint8Array(await file.arrayBuffer()) : new Uint8Array();
      await setAvatar(forge.db, forge.config.dataDir, c.get("viewer"), t.account, bytes);
      return c.redirect(`${t.action}?saved=1`, 303);
    } catch (err) {
      if (err instanceof AppError && err.kind === "too_large") {
        return page(c, t, { failure: { message: err.message, fields: {} }, status: 413 });
      }
      const f = formFailure(err);
      return page(c, t, { failure: f, status: f.status });
    }
  });
  profilePages.post(`${path}/avatar/delete`, guard, async (c) => {
    const t = await target(c);
    const forge = c.get("forge");
    await removeAvatar(forge.db, forge.config.dataDir, c.get("viewer"), t.account);
    return c.redirect(`${t.action}?saved=1`, 303);
  });
}

register("/settings/profile", requireSignedIn, userTarget);
register("/orgs/:org/profile", requireSignedIn, orgTarget);
