// The /device page where a signed-in user enters the code a CLI shows (or follows its
// link with ?code=…), checks which client asks for which scopes, and approves or denies.
// Visitors who are not signed in go to the log-in page and come back with the code.
import { SCOPE_DESCRIPTIONS, type Scope } from "@micelio/core";
import { type Context, Hono } from "hono";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { Alert, CsrfField, Layout } from "../web/layout.tsx";
import { formFields, meta } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import { countCodeAttempt } from "./device-limit.ts";
import { approveDevice, denyDevice, findPending, grantFor } from "./device-service.ts";
import { formatUserCode, normalizeUserCode } from "./user-code.ts";

export const devicePages = new Hono<AppEnv>();
devicePages.use("/device", requireSignedIn);
devicePages.use("/device/*", requireSignedIn);

type Status = 200 | 400 | 403 | 404 | 429;

function EntryForm({ code, message }: { code?: string; message?: string }) {
  return (
    <form method="get" action="/device" class="card">
      <Alert message={message} />
      <label for="code">Code shown on your device</label>
      <input
        id="code"
        name="code"
        value={code ?? ""}
        required
        maxlength={20}
        placeholder="BCDF-GHJK"
        autocomplete="off"
        autocapitalize="characters"
        spellcheck={false}
        class="mono"
      />
      <p>
        <button type="submit">Continue</button>
      </p>
    </form>
  );
}

function entryPage(c: Context<AppEnv>, opts: { code?: string; message?: string; status?: Status } = {}) {
  return c.html(
    <Layout {...meta(c, "Device login")}>
      <h1>Log in a device</h1>
      <p class="hint">
        Enter the code that <code>mic auth login</code> (or another client) shows in your terminal.
      </p>
      <EntryForm code={opts.code} message={opts.message} />
    </Layout>,
    opts.status ?? 200,
  );
}

/** Expected refusals become a message on the entry form; anything else is a real error. */
function refusal(c: Context<AppEnv>, err: unknown, code: string) {
  if (!(err instanceof AppError) || !["not_found", "forbidden", "rate_limited"].includes(err.kind)) throw err;
  const status: Status = err.kind === "not_found" ? 404 : err.kind === "forbidden" ? 403 : 429;
  const headers = err.details.headers as Record<string, string> | undefined;
  for (const [k, v] of Object.entries(headers ?? {})) c.header(k, v);
  return entryPage(c, { code, message: err.message, status });
}

devicePages.get("/device", async (c) => {
  const typed = c.req.query("code")?.trim();
  if (!typed) return entryPage(c);
  try {
    await countCodeAttempt(c.get("forge"), c.get("viewer"));
  } catch (err) {
    return refusal(c, err, typed);
  }
  const code = normalizeUserCode(typed);
  const pending = code ? await findPending(c.get("forge").db, code) : null;
  if (!code || !pending) {
    return entryPage(c, {
      code: typed,
      status: 404,
      message: code
        ? "No pending device login has this code. It may have expired or already been used; start again on the device."
        : "That is not a device code: it has eight letters, like BCDF-GHJK.",
    });
  }
  const granted = grantFor(c.get("viewer"), pending.scopes);
  const withheld = pending.scopes.filter((s) => !(granted as string[]).includes(s));
  const minutes = Math.max(1, Math.round((new Date(pending.expires_at).getTime() - Date.now()) / 60_000));
  const csrf = c.get("csrfToken");
  const display = formatUserCode(pending.user_code);
  return c.html(
    <Layout {...meta(c, "Approve device login")}>
      <h1>Approve device login?</h1>
      <div class="card">
        <p>
          <strong>{pending.client_name}</strong> asks to act as{" "}
          <strong>{c.get("viewer").user!.handle}</strong>.
        </p>
        <p>
          Check that your device shows this code: <strong class="mono">{display}</strong>
        </p>
        <p>It will receive a personal access token with these scopes:</p>
        <ul>
          {granted.map((s) => (
            <li>
              <code>{s}</code> — {SCOPE_DESCRIPTIONS[s as Scope]}
            </li>
          ))}
        </ul>
        {withheld.length ? (
          <p class="hint">Not granted (your account cannot hold them): {withheld.join(", ")}</p>
        ) : null}
        <p class="hint">
          The request expires in about {minutes} minute{minutes === 1 ? "" : "s"}. You can revoke the token
          later under Settings → Access tokens.
        </p>
        {granted.length === 0 ? (
          <Alert message="Your account holds none of the requested scopes, so this device cannot be approved." />
        ) : (
          <form method="post" action="/device/approve" class="inline">
            <CsrfField token={csrf} />
            <input type="hidden" name="user_code" value={display} />
            <button type="submit">Approve</button>
          </form>
        )}{" "}
        <form method="post" action="/device/deny" class="inline">
          <CsrfField token={csrf} />
          <input type="hidden" name="user_code" value={display} />
          <button type="submit" class="secondary">
            Deny
          </button>
        </form>
      </div>
    </Layout>,
  );
});

for (const action of ["approve", "deny"] as const) {
  // Reached after logging in again from an expired session: start over at the code.
  devicePages.get(`/device/${action}`, (c) => c.redirect("/device", 303));
  devicePages.post(`/device/${action}`, async (c) => {
    const typed = (await formFields(c)).user_code ?? "";
    try {
      await countCodeAttempt(c.get("forge"), c.get("viewer"));
      const code = normalizeUserCode(typed) ?? "-";
      const { db } = c.get("forge");
      const done =
        action === "approve"
          ? await approveDevice(db, c.get("viewer"), code)
          : await denyDevice(db, c.get("viewer"), code);
      return c.html(
        <Layout {...meta(c, action === "approve" ? "Device approved" : "Device denied")}>
          <div class="notice" role="status">
            <h1>{action === "approve" ? "Device approved" : "Device login denied"}</h1>
            <p>
              {action === "approve"
                ? `${done.client_name} is now logged in with ${done.scopes.join(", ")}. You can return to your terminal.`
                : `${done.client_name} was not given access. You can close this page.`}
            </p>
          </div>
        </Layout>,
      );
    } catch (err) {
      return refusal(c, err, typed);
    }
  });
}
