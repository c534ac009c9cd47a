// The agent policy page (/{owner}/{project}/settings/agent-policy): every number of the
// project's trust policy for agents, with the preset it comes from; project administrators
// change them in one form (which saves as overrides what differs from the preset) and manage
// trusted introducers' vouches. Everyone who may read the project sees the numbers. Posts
// call the same services as the API, so every change is audited.
import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { getProject, type ProjectWithOwner } from "../projects/projects-service.ts";
import { projectBase, projectPage } from "../sessions/session-views.tsx";
import { Alert, CsrfField } from "../web/layout.tsx";
import { formFailure, formFields } from "../web/page.ts";
import { requireSignedIn } from "../web/require-signed-in.ts";
import {
  type AgentPolicy,
  loadPolicy,
  PRESETS,
  type ProjectPolicy,
  STRICTNESS,
  TIERS,
  updatePolicyAs,
} from "./agent-policy.ts";
import { listVouches, vouchAs, withdrawVouchAs } from "./vouches.ts";

export const agentPolicyPages = new Hono<AppEnv>();
const PATH = "/:owner/:project/settings/agent-policy";
agentPolicyPages.use(`${PATH}/*`, requireSignedIn);

/** Leaves of the policy as dotted names, with whether an empty field means "no limit" (null). */
const FIELDS: { name: string; label: string; nullable: boolean; step?: string }[] = [
  {
    name: "checkpoints",
    label: "Human checkpoints: a new agent's first contributions reviewed",
    nullable: false,
  },
  {
    name: "introducer_min_landings",
    label: "Landed sessions a writer needs to vouch for agents",
    nullable: false,
  },
  ...(["small", "large"] as const).flatMap((t) => [
    { name: `tiers.${t}.min_passed`, label: `Tier ${t}: passed validations needed`, nullable: false },
    { name: `tiers.${t}.max_lines`, label: `Tier ${t}: most changed lines`, nullable: true },
    { name: `tiers.${t}.max_files`, label: `Tier ${t}: most changed files`, nullable: true },
  ]),
  { name: "tiers.auto.min_passed", label: "Tier auto: passed validations needed", nullable: false },
  {
    name: "tiers.auto.min_reputation",
    label: "Tier auto: reputation needed (0-100)",
    nullable: false,
    step: "0.1",
  },
  ...TIERS.flatMap((t) => [
    { name: `quotas.${t}.day`, label: `Sessions per day at tier ${t}`, nullable: true },
    { name: `quotas.${t}.week`, label: `Sessions per week at tier ${t}`, nullable: true },
  ]),
  {
    name: "backoff.after_failures",
    label: "Backoff after this many failed validations in a row",
    nullable: true,
  },
  {
    name: "backoff.base_minutes",
    label: "Backoff: first wait (minutes, doubling)",
    nullable: true,
    step: "0.1",
  },
  { name: "backoff.max_minutes", label: "Backoff: longest wait (minutes)", nullable: true, step: "0.1" },
  {
    name: "cooling_off_minutes",
    label: "Cooling-off after a rejection (minutes)",
    nullable: false,
    step: "0.1",
  },
  {
    name: "duplicates.prompt_similarity",
    label: "Near-duplicate prompts from (0.3-1)",
    nullable: true,
    step: "0.01",
  },
  {
    name: "duplicates.diff_similarity",
    label: "Near-duplicate changes from (0.3-1)",
    nullable: true,
    step: "0.01",
  },
  { name: "duplicates.window_days", label: "Near-duplicates looked for over (days)", nullable: true },
];

const get = (o: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : null), o);

function set(o: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split(".");
  let at = o;
  for (const k of keys.slice(0, -1)) {
    at[k] ??= {};
    at = at[k] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
}

/** The overrides a submitted form means: each field that differs from the preset's value. */
export function formOverrides(fields: Record<string, string>, preset: AgentPolicy) {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) {
    if (fields[f.name] === undefined) continue; // not in the form: unchanged
    const raw = fields[f.name]!.trim();
    const value = raw === "" ? (f.nullable ? null : undefined) : Number(raw);
    if (value === undefined || value === get(preset, f.name)) continue;
    set(out, f.name, value);
  }
  // A section emptied of its thresholds is turned off as a whole.
  if (FIELDS.filter((f) => f.name.startsWith("backoff.")).every((f) => !(fields[f.name] ?? "").trim()))
    out.backoff = null;
  if (
    !(fields["duplicates.prompt_similarity"] ?? "").trim() &&
    !(fields["duplicates.diff_similarity"] ?? "").trim()
  )
    out.duplicates = null;
  if (out.backoff === null && preset.backoff === null) delete out.backoff;
  if (out.duplicates === null && preset.duplicates === null) delete out.duplicates;
  const cascade = fields.cascade_approval === "on";
  if (cascade !== preset.cascade_approval) out.cascade_approval = cascade;
  return out;
}

function PolicyForm(props: { p: ProjectWithOwner; policy: ProjectPolicy; admin: boolean; csrf: string }) {
  const { policy, admin } = props;
  const base = `${projectBase(props.p)}/settings/agent-policy`;
  const changed = (name: string) => get(policy.overrides, name) !== undefined;
  return (
    <form method="post" action={base} class="card agent-policy">
      <CsrfField token={props.csrf} />
      <label for="strictness">Strictness preset</label>
      <select id="strictness" name="strictness" disabled={!admin}>
        {STRICTNESS.map((s) => (
          <option value={s} selected={s === policy.strictness}>
            {s}
          </option>
        ))}
      </select>
      <p class="hint">Choosing another preset resets every number below to that preset's values.</p>
      <label>
        <input
          type="checkbox"
          name="cascade_approval"
          checked={policy.policy.cascade_approval}
          disabled={!admin}
        />{" "}
        A person approves an agent's session that acts on AI-generated context (cascade approval)
      </label>
      <div class="policy-grid">
        {FIELDS.map((f) => {
          const v = get(policy.policy, f.name);
          return (
            <p>
              <label for={`f-${f.name}`}>
                {f.label}
                {changed(f.name) ? <span class="badge">changed</span> : null}
              </label>
              <input
                id={`f-${f.name}`}
                name={f.name}
                type="number"
                min="0"
                step={f.step ?? "1"}
                value={v === null || v === undefined ? "" : String(v)}
                placeholder={f.nullable ? "no limit" : ""}
                disabled={!admin}
              />
            </p>
          );
        })}
      </div>
      {admin ? (
        <p>
          <button type="submit">Save policy</button>{" "}
          <button type="submit" name="reset" value="1" class="secondary">
            Reset to the preset
          </button>
        </p>
      ) : (
        <p class="hint">The project's administrators set these numbers.</p>
      )}
    </form>
  );
}

async function render(
  c: Context<AppEnv>,
  failure?: { status: 400 | 403 | 404 | 409 | 413 | 415 | 429; message: string },
) {
  const db = c.get("forge").db;
  const viewer = c.get("viewer");
  const [owner, project] = [c.req.param("owner")!, c.req.param("project")!];
  const { project: p, role } = await getProject(db, viewer, owner, project);
  const admin = role === "admin";
  const [policy, vouches] = await Promise.all([
    loadPolicy(db, p.id),
    listVouches(db, viewer, owner, project),
  ]);
  const csrf = c.get("csrfToken");
  const base = `${projectBase(p)}/settings/agent-policy`;
  if (failure) c.status(failure.status);
  return projectPage(
    c,
    p,
    "Agent policy",
    "sessions",
    <>
      <h2>Agent policy</h2>
      <p class="hint">
        How far this project trusts agents' sessions: tiers earned by passed validations, what each tier may
        submit, waits after failures and rejections, near-duplicate detection and human checkpoints. It
        applies to agents run by anyone but the project's administrators. Preset{" "}
        <strong>{policy.strictness}</strong>
        {policy.updated_by ? `, last changed by ${policy.updated_by}` : ""}.{" "}
        <a href="/docs/trust#agent-policy">How it works</a>
      </p>
      {c.req.query("saved") ? <p class="notice">Saved.</p> : null}
      {failure ? <Alert message={failure.message} /> : null}
      <PolicyForm p={p} policy={policy} admin={admin} csrf={csrf} />
      <section class="card" aria-labelledby="vouches-title">
        <h2 id="vouches-title">Vouched agents</h2>
        {vouches.length ? (
          <ul>
            {vouches.map((v) => (
              <li>
                <strong>{v.agent}</strong> of {v.account}: tier {v.tier}, vouched by {v.vouched_by}
                {v.note ? <>: {v.note}</> : null}{" "}
                <form method="post" action={`${base}/unvouch`} class="inline">
                  <CsrfField token={csrf} />
                  <input type="hidden" name="account" value={v.account} />
                  <input type="hidden" name="agent" value={v.agent} />
                  <button type="submit" class="secondary">
                    Withdraw
                  </button>
                </form>
              </li>
            ))}
          </ul>
        ) : (
          <p class="empty">
            No agent is vouched for. A trusted member's vouch waives a new agent's checkpoints.
          </p>
        )}
        {viewer.user ? (
          <form method="post" action={`${base}/vouch`}>
            <CsrfField token={csrf} />
            <label for="vouch-account">Account</label>
            <input id="vouch-account" name="account" required maxlength={39} />
            <label for="vouch-agent">Agent name</label>
            <input id="vouch-agent" name="agent" required maxlength={100} />
            <label for="vouch-tier">Start at tier</label>
            <select id="vouch-tier" name="tier">
              {(["small", "large", "auto"] as const).map((t) => (
                <option value={t}>{t}</option>
              ))}
            </select>
            <label for="vouch-note">Why (optional)</label>
            <input id="vouch-note" name="note" maxlength={500} />
            <button type="submit">Vouch for this agent</button>
          </form>
        ) : null}
      </section>
    </>,
  );
}

agentPolicyPages.get(PATH, (c) => render(c));

async function act(c: Context<AppEnv>, run: (f: Record<string, string>) => Promise<unknown>) {
  const f = await formFields(c);
  try {
    await run(f);
  } catch (err) {
    const { status, message } = formFailure(err);
    return render(c, { status, message });
  }
  return c.redirect(`/${c.req.param("owner")}/${c.req.param("project")}/settings/agent-policy?saved=1`, 303);
}

agentPolicyPages.post(PATH, requireSignedIn, (c) =>
  act(c, async (f) => {
    const db = c.get("forge").db;
    const [owner, project] = [c.req.param("owner")!, c.req.param("project")!];
    const { project: p } = await getProject(db, c.get("viewer"), owner, project);
    const current = await loadPolicy(db, p.id);
    const strictness = (STRICTNESS as readonly string[]).includes(f.strictness ?? "")
      ? (f.strictness as ProjectPolicy["strictness"])
      : current.strictness;
    const input =
      f.reset || strictness !== current.strictness
        ? { strictness, reset: true }
        : { strictness, reset: true, ...formOverrides(f, PRESETS[strictness]) };
    await updatePolicyAs(db, c.get("viewer"), owner, project, input);
  }),
);

agentPolicyPages.post(`${PATH}/vouch`, (c) =>
  act(c, (f) =>
    vouchAs(
      c.get("forge").db,
      c.get("viewer"),
      c.req.param("owner")!,
      c.req.param("project")!,
      f.agent ?? "",
      {
        account: f.account,
        tier: f.tier,
        ...(f.note ? { note: f.note } : {}),
      },
    ),
  ),
);

agentPolicyPages.post(`${PATH}/unvouch`, (c) =>
  act(c, (f) =>
    withdrawVouchAs(
      c.get("forge").db,
      c.get("viewer"),
      c.req.param("owner")!,
      c.req.param("project")!,
      f.agent ?? "",
      f.account ?? "",
    ),
  ),
);
