// Settings → Storage: a user's own bucket for their artifacts (/settings/storage) and an
// organization's (/orgs/{org}/storage, its owners). Shows the state (checked, failing and why,
// with the notice that artifacts fell back to the instance store), a form to set or replace
// the bucket (checked before it is saved; the secret is never shown back), "Check again",
// "Remove", and /settings/storage/policy: the IAM policy to give the keys.
import type { Context } from "hono";
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { isAdmin } from "../accounts/viewer.ts";
import { SettingsNav } from "../devices/settings-nav.tsx";
import { AppError, notFound } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { getOrg, orgRole } from "../orgs/orgs-service.ts";
import { Alert, CsrfField, Layout } from "../web/layout.tsx";
import { formFailure, formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { limitBucketChecks } from "./check-limit.ts";
import { iamPolicy } from "./iam-policy.ts";
import {
  deleteStorage,
  revalidateStorage,
  type StorageScope,
  saveStorage,
  storageAccount,
  storageJson,
  storageRow,
} from "./storage-service.ts";
import { PROVIDER_NAMES, PROVIDERS } from "./storage-settings.ts";

export const storagePages = new Hono<AppEnv>();
for (const path of ["/settings/storage", "/settings/storage/*", "/orgs/:org/storage", "/orgs/:org/storage/*"])
  storagePages.use(path, requireSignedIn);

type Ctx = Context<AppEnv>;

async function placeOf(c: Ctx): Promise<{ scope: StorageScope; base: string; title: string; nav: boolean }> {
  const org = c.req.param("org");
  if (!org) return { scope: { kind: "user" }, base: "/settings/storage", title: "Storage", nav: true };
  const db = c.get("forge").db;
  const account = await getOrg(db, org);
  if (!isAdmin(c.get("viewer")) && (await orgRole(db, account.id, c.get("viewer").user?.id)) !== "owner")
    throw notFound();
  return {
    scope: { kind: "org", org: account.handle },
    base: `/orgs/${account.handle}/storage`,
    title: `${account.handle} · storage`,
    nav: false,
  };
}

const deps = (c: Ctx) => {
  const f = c.get("forge");
  return { db: f.db, secrets: f.secrets, outbound: f.outbound, limiter: f.limiter };
};

async function page(
  c: Ctx,
  opts: {
    message?: string;
    error?: string;
    log?: string[];
    form?: Record<string, string>;
    status?: number;
  } = {},
) {
  const place = await placeOf(c);
  const account = await storageAccount(c.get("forge").db, c.get("viewer"), place.scope);
  const row = await storageRow(c.get("forge").db, account.id);
  const current = row ? storageJson(row, c.get("forge").secrets) : null;
  const f = opts.form ?? {};
  const csrf = c.get("csrfToken");
  const body: Child = (
    <>
      {place.nav ? <SettingsNav current="/settings/storage" /> : null}
      <h1>Artifact storage</h1>
      <p class="hint">
        Artifacts (Open Graph pictures, session artifacts, validation logs) are kept in this forge's store
        unless you give a bucket of your own on an S3-compatible service. The keys are encrypted at rest and
        never shown again. Give them only the permissions in{" "}
        <a href={`/settings/storage/policy${current ? `?bucket=${encodeURIComponent(current.bucket)}` : ""}`}>
          the IAM policy
        </a>
        .
      </p>
      {opts.message ? (
        <div class="notice" role="status">
          {opts.message}
        </div>
      ) : null}
      <Alert message={opts.error} />
      {current ? (
        <section class="card" id="storage-current">
          <h2>Current bucket</h2>
          <p>
            {PROVIDER_NAMES[current.provider as keyof typeof PROVIDER_NAMES] ?? current.provider} ·{" "}
            <code>{current.bucket}</code> · region {current.region}
            {current.endpoint ? <> · {current.endpoint}</> : null}
            {current.path_prefix ? (
              <>
                {" "}
                · prefix <code>{current.path_prefix}</code>
              </>
            ) : null}{" "}
            · key {current.access_key_id_hint}
          </p>
          {current.status === "failing" ? (
            <div class="alert" role="alert" id="storage-failing">
              The bucket is failing since {current.failing_since?.slice(0, 16).replace("T", " ")}, so
              artifacts are kept in the instance's store until it works again: {current.last_error}
            </div>
          ) : (
            <p id="storage-ok">
              {current.validated_at
                ? `Checked ${current.validated_at.slice(0, 16).replace("T", " ")} UTC.`
                : "Not checked yet."}
            </p>
          )}
          <form method="post" action={`${place.base}/check`} class="inline">
            <CsrfField token={csrf} />
            <button type="submit">Check again</button>
          </form>{" "}
          <form method="post" action={`${place.base}/remove`} class="inline">
            <CsrfField token={csrf} />
            <button type="submit" class="danger">
              Remove (use the instance store)
            </button>
          </form>
        </section>
      ) : (
        <p id="storage-none">No bucket set: artifacts are kept in this forge's store.</p>
      )}
      {opts.log?.length ? (
        <details open>
          <summary>Validation log</summary>
          <pre id="validation-log">{opts.log.join("\n")}</pre>
        </details>
      ) : null}
      <form method="post" action={place.base} class="card">
        <CsrfField token={csrf} />
        <h2>{current ? "Replace the bucket" : "Use my own bucket"}</h2>
        <label for="provider">Provider</label>
        <select id="provider" name="provider">
          {PROVIDERS.map((p) => (
            <option value={p} selected={(f.provider ?? current?.provider ?? "aws_s3") === p}>
              {PROVIDER_NAMES[p]}
            </option>
          ))}
        </select>
        <label for="bucket">Bucket</label>
        <input id="bucket" name="bucket" required maxlength={63} value={f.bucket ?? current?.bucket ?? ""} />
        <label for="region">Region (Amazon S3, Spaces, Wasabi, B2; not needed for R2 and MinIO)</label>
        <input id="region" name="region" maxlength={64} value={f.region ?? current?.region ?? ""} />
        <label for="endpoint">
          Endpoint (not for Amazon S3; R2: https://&lt;account id&gt;.r2.cloudflarestorage.com)
        </label>
        <input id="endpoint" name="endpoint" maxlength={500} value={f.endpoint ?? current?.endpoint ?? ""} />
        <label for="path_prefix">Path prefix (optional folder inside the bucket)</label>
        <input
          id="path_prefix"
          name="path_prefix"
          maxlength={200}
          value={f.path_prefix ?? current?.path_prefix ?? ""}
        />
        <label for="access_key_id">Access key id</label>
        <input id="access_key_id" name="access_key_id" required maxlength={256} autocomplete="off" />
        <label for="secret_access_key">Secret access key</label>
        <input
          id="secret_access_key"
          name="secret_access_key"
          type="password"
          required
          maxlength={256}
          autocomplete="off"
        />
        <p>
          <button type="submit">Check and save</button>
        </p>
      </form>
    </>
  );
  return c.html(<Layout {...meta(c, place.title)}>{body}</Layout>, (opts.status ?? 200) as 200);
}

for (const base of ["/settings/storage", "/orgs/:org/storage"]) {
  storagePages.get(base, (c) => page(c));
  storagePages.post(base, async (c) => {
    const form = await formFields(c);
    const place = await placeOf(c);
    try {
      const saved = await saveStorage(deps(c), c.get("viewer"), place.scope, form);
      return page(c, {
        message: "The bucket passed its checks and is now used for artifacts.",
        log: saved.validation_log,
      });
    } catch (err) {
      const failure = formFailure(err);
      const log = err instanceof AppError ? (err.details.validation_log as string[] | undefined) : undefined;
      const { access_key_id: _a, secret_access_key: _s, ...kept } = form; // never echo the keys
      return page(c, { error: failure.message, log, form: kept, status: failure.status });
    }
  });
  storagePages.post(`${base}/check`, async (c) => {
    const place = await placeOf(c);
    const account = await storageAccount(c.get("forge").db, c.get("viewer"), place.scope);
    try {
      await limitBucketChecks(c.get("forge").limiter, account.id);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return page(c, { error: err.message, status: 429 });
    }
    const check = await revalidateStorage(deps(c), account.id);
    if (!check) return page(c, { error: "No bucket is set." });
    return check.ok
      ? page(c, { message: "The bucket passed its checks.", log: check.log })
      : page(c, { error: `The bucket did not pass its checks: ${check.message}`, log: check.log });
  });
  storagePages.post(`${base}/remove`, async (c) => {
    const place = await placeOf(c);
    await deleteStorage(deps(c), c.get("viewer"), place.scope);
    return c.redirect(place.base, 303);
  });
}

storagePages.get("/settings/storage/policy", (c) => {
  const bucket = /^[a-z0-9.-]{3,63}$/.test(c.req.query("bucket") ?? "")
    ? c.req.query("bucket")!
    : "YOUR-BUCKET";
  return c.html(
    <Layout {...meta(c, "Storage IAM policy")}>
      <SettingsNav current="/settings/storage" />
      <h1>The permissions to give your storage keys</h1>
      <p>
        Make keys for this forge only, allowed on one bucket (or one prefix of it) and nothing else. The forge
        reads, writes and deletes objects and checks that the bucket exists (HeadBucket uses s3:ListBucket).
      </p>
      <h2>Amazon S3, Wasabi, MinIO (IAM policy JSON)</h2>
      <pre id="iam-policy">{JSON.stringify(iamPolicy(bucket), null, 2)}</pre>
      <h2>Cloudflare R2</h2>
      <p>An API token with "Object Read &amp; Write", limited to the bucket {bucket}.</p>
      <h2>Backblaze B2</h2>
      <p>
        An application key restricted to the bucket {bucket}, with readFiles, writeFiles, deleteFiles and
        listBuckets.
      </p>
      <h2>DigitalOcean Spaces</h2>
      <p>A Spaces access key with limited access: read/write/delete on {bucket} only.</p>
      <h2>And</h2>
      <ul>
        <li>
          Keep the bucket private (no public access): the forge serves artifacts itself, with each page's
          access rules.
        </li>
        <li>
          Turn on server-side encryption and versioning; a lifecycle rule can expire old objects under og/.
        </li>
        <li>Never give root or administrator keys.</li>
      </ul>
      <p>
        <a href="/settings/storage">Back to storage settings</a>
      </p>
    </Layout>,
  );
});
