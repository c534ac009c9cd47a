// The five viewers every access test checks: anonymous, another user, a member of the owning
// organization, the owner, and the instance administrator (the first account, so make this
// the first thing a test forge does). The owner creates organization "acme" with "mia" as a
// member; each viewer has an API token and, when asked, a signed-in web Browser.
import { SCOPES } from "@micelio/core";
import { type ApiResult, api, Browser, userWithToken } from "./client.ts";

export type Who = "anonymous" | "other" | "member" | "owner" | "admin";
export const WHO: Who[] = ["anonymous", "other", "member", "owner", "admin"];

type Account = Awaited<ReturnType<typeof userWithToken>>;

export interface Roles {
  accounts: Record<Exclude<Who, "anonymous">, Account>;
  /** API tokens; undefined for the anonymous viewer. */
  tokens: Record<Who, string | undefined>;
  browsers: Record<Who, Browser>;
  /** An API call as this viewer. */
  call(who: Who, method: string, path: string, json?: unknown): Promise<ApiResult>;
  /** Creates project acme/`handle` as its owner (private unless said); gives its id. */
  orgProject(handle: string, visibility?: "public" | "private"): Promise<string>;
}

export async function setUpRoles(base: string, opts: { org?: { name?: string }; browsers?: boolean } = {}) {
  const accounts = {
    admin: await userWithToken(base, "ada", [...SCOPES]),
    owner: await userWithToken(base, "olivia"),
    member: await userWithToken(base, "mia"),
    other: await userWithToken(base, "oscar"),
  };
  const tokens: Roles["tokens"] = {
    anonymous: undefined,
    admin: accounts.admin.token,
    owner: accounts.owner.token,
    member: accounts.member.token,
    other: accounts.other.token,
  };
  const call: Roles["call"] = (who, method, path, json) =>
    api(base, method, path, { token: tokens[who], json });
  const org = await call("owner", "POST", "/api/v1/orgs", { handle: "acme", ...opts.org });
  if (org.status !== 201) throw new Error(`create org acme: ${org.status} ${JSON.stringify(org.body)}`);
  const added = await call("owner", "PUT", "/api/v1/orgs/acme/members/mia", { role: "member" });
  if (added.status !== 200) throw new Error(`add mia to acme: ${added.status}`);
  const browsers = {} as Record<Who, Browser>;
  for (const who of WHO) {
    browsers[who] = new Browser(base);
    if (who === "anonymous" || !opts.browsers) continue;
    const { handle, password } = accounts[who];
    const r = await browsers[who].submit("/login", "/login", { login: handle, password });
    if (r.status !== 303) throw new Error(`log in ${handle}: ${r.status}`);
  }
  const orgProject: Roles["orgProject"] = async (handle, visibility = "private") => {
    const made = await call("owner", "POST", "/api/v1/projects", { owner: "acme", handle, visibility });
    if (made.status !== 201)
      throw new Error(`create acme/${handle}: ${made.status} ${JSON.stringify(made.body)}`);
    return made.body.id as string;
  };
  return { accounts, tokens, browsers, call, orgProject } satisfies Roles;
}
