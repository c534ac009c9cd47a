// The pieces the personal and the organization token pages share: the list of tokens (scopes,
// projects, expiry, last use, who made it), the "new token" form, the secret shown once, and
// reading that form into the API's create body.
import { SCOPE_DESCRIPTIONS, type Scope } from "@micelio/core";
import type { Context } from "hono";
import type { AppEnv } from "../http/context.ts";
import { Alert, CsrfField, FieldErrors, PostButton } from "../web/layout.tsx";
import { formFields, formList } from "../web/page.ts";

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  projects: string[] | null;
  expires_at: string | null;
  last_used_at: string | null;
  created_by?: string;
}

export function CreatedToken({ created }: { created?: { token: string; name: string } }) {
  if (!created) return null;
  return (
    <div class="notice" role="status">
      <p>
        Token <strong>{created.name}</strong> created. Copy it now: it will not be shown again.
      </p>
      <p class="secret" id="new-token">
        {created.token}
      </p>
    </div>
  );
}

export function TokenList(props: { tokens: TokenRow[]; csrf: string; revokeBase: string; empty: string }) {
  if (props.tokens.length === 0) return <div class="empty">{props.empty}</div>;
  return (
    <ul class="list">
      {props.tokens.map((t) => (
        <li>
          <strong>{t.name}</strong> <code>{t.prefix}…</code>
          <p>
            {t.scopes.join(", ")} ·{" "}
            {t.projects
              ? `only ${t.projects.length > 0 ? t.projects.join(", ") : "deleted projects"}`
              : "all projects"}{" "}
            · {t.expires_at ? `expires ${t.expires_at.slice(0, 10)}` : "never expires"} ·{" "}
            {t.last_used_at ? `last used ${t.last_used_at.slice(0, 10)}` : "never used"}
            {t.created_by ? ` · made by ${t.created_by}` : ""}
          </p>
          <PostButton action={`${props.revokeBase}/${t.id}/delete`} csrf={props.csrf} class="link">
            Revoke
          </PostButton>
        </li>
      ))}
    </ul>
  );
}

export function NewTokenForm(props: {
  action: string;
  csrf: string;
  scopes: readonly Scope[];
  checked: readonly Scope[];
  failure?: { message: string; fields: Record<string, string> };
  projectsLabel: string;
  projectsHint: string;
  projectsPlaceholder: string;
}) {
  const { failure } = props;
  return (
    <form method="post" action={props.action} class="card">
      <h2>New token</h2>
      <Alert message={failure?.message} />
      <CsrfField token={props.csrf} />
      <label for="name">Name</label>
      <input id="name" name="name" required maxlength={100} placeholder="laptop mic" />
      <FieldErrors errors={failure?.fields} field="name" />
      <fieldset>
        <legend>Scopes</legend>
        {props.scopes.map((s) => (
          <label class="choice">
            <input type="checkbox" name="scopes" value={s} checked={props.checked.includes(s)} />{" "}
            <code>{s}</code> — {SCOPE_DESCRIPTIONS[s]}
          </label>
        ))}
      </fieldset>
      <FieldErrors errors={failure?.fields} field="scopes" />
      <label for="projects">{props.projectsLabel}</label>
      <textarea id="projects" name="projects" rows={3} placeholder={props.projectsPlaceholder} />
      <p class="hint">{props.projectsHint}</p>
      <FieldErrors errors={failure?.fields} field="projects" />
      <label for="expires">Expires on (optional)</label>
      <input id="expires" name="expires" type="date" />
      <FieldErrors errors={failure?.fields} field="expires_at" />
      <p>
        <button type="submit">Create token</button>
      </p>
    </form>
  );
}

/** The form as the API's create body (an unreadable date is sent as "invalid" to be refused). */
export async function tokenInput(c: Context<AppEnv>) {
  const values = await formFields(c);
  const scopes = await formList(c, "scopes");
  const expires = values.expires ? new Date(`${values.expires}T23:59:59Z`) : null;
  const projects = (values.projects ?? "")
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  return {
    name: values.name ?? "",
    scopes,
    expires_at:
      expires && !Number.isNaN(expires.getTime()) ? expires.toISOString() : values.expires ? "invalid" : null,
    ...(projects.length > 0 ? { projects } : {}),
  };
}
