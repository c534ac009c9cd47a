// The pages the visual suite visits, each with who looks at it, its primary actions (what a
// visitor must be able to see and reach on a phone) and whether it has screenshot baselines.
import type { Locator, Page } from "playwright-core";
import { ADA, BEN, CLEO, ORG, ORG_PROJECT, PRIVATE, PROJECT, type Seeded } from "./visual-fixture.ts";

export interface VisualPage {
  /** Also the baseline's file name: `<name>-<width>.png`. */
  name: string;
  path: (s: Seeded) => string;
  /** Anonymous visitor, or signed in as the administrator (ada). */
  as: "anonymous" | "ada";
  status?: number;
  /** Named primary actions; each must be visible and inside the viewport. */
  actions: Record<string, (page: Page) => Locator>;
  /** Compare screenshots at the screenshot widths. */
  screenshot?: boolean;
  /** Regions covered by a solid box in screenshots (content that depends on the date). */
  mask?: string[];
}

const P = `/${ADA.handle}/${PROJECT}`;
const main = (page: Page) => page.getByRole("main");
const link = (name: string | RegExp) => (page: Page) =>
  main(page).getByRole("link", { name, exact: true }).first();
const button = (name: string | RegExp) => (page: Page) =>
  main(page).getByRole("button", { name, exact: true }).first();
const cloneUrl = (page: Page) => page.locator("#clone-url");

export const PAGES: VisualPage[] = [
  {
    name: "home-anonymous",
    path: () => "/",
    as: "anonymous",
    actions: { "sign-up link": link(/^(create an account|sign up)$/i) },
    screenshot: true,
  },
  {
    name: "home-signed-in",
    path: () => "/",
    as: "ada",
    actions: {
      '"New project" link': (page) => page.getByRole("link", { name: "New project", exact: true }).first(),
    },
    screenshot: true,
  },
  {
    name: "sign-up",
    path: () => "/signup",
    as: "anonymous",
    actions: { '"Sign up" button': button("Sign up") },
    screenshot: true,
  },
  { name: "log-in", path: () => "/login", as: "anonymous", actions: { '"Log in" button': button("Log in") } },
  {
    name: "project",
    path: () => P,
    as: "ada",
    actions: { "Star button": button("☆ Star"), "clone URL box": cloneUrl },
    screenshot: true,
  },
  { name: "project-anonymous", path: () => P, as: "anonymous", actions: { "clone URL box": cloneUrl } },
  {
    name: "file",
    path: () => `${P}/blob/main/src/main.ts`,
    as: "anonymous",
    actions: {
      '"Raw" link': link("Raw"),
      "highlighted code": (page) => page.locator(".code-scroll").first(),
    },
    screenshot: true,
  },
  {
    name: "tree",
    path: () => `${P}/tree/main/src`,
    as: "anonymous",
    actions: { "file link": link("main.ts") },
  },
  {
    name: "commits",
    path: () => `${P}/commits`,
    as: "anonymous",
    actions: { "commit link": link("Print usage when no path is given") },
    screenshot: true,
  },
  {
    name: "commit",
    path: (s) => `${P}/commit/${s.commit}`,
    as: "anonymous",
    actions: { '"Browse files" link': link("Browse files at this commit") },
    screenshot: true,
  },
  {
    name: "sessions",
    path: () => `${P}/sessions`,
    as: "anonymous",
    actions: { '"Filter" button': button("Filter"), "session link": link("Add a --dim option") },
    screenshot: true,
  },
  {
    name: "session",
    path: (s) => `${P}/sessions/${s.landed}`,
    as: "anonymous",
    actions: { '"See the activity" link': link("See the activity") },
    screenshot: true,
  },
  {
    name: "landings",
    path: () => `${P}/activity`,
    as: "anonymous",
    actions: { "landing link": link("Add a --dim option") },
  },
  {
    name: "profile-user",
    path: () => `/${ADA.handle}`,
    as: "anonymous",
    actions: { "project link": (page) => main(page).locator(`a[href="${P}"]`).first() },
    screenshot: true,
    mask: [".contrib-scroll"],
  },
  {
    name: "profile-org",
    path: () => `/${ORG}`,
    as: "anonymous",
    actions: { "project link": (page) => main(page).locator(`a[href="/${ORG}/${ORG_PROJECT}"]`).first() },
    screenshot: true,
    mask: [".contrib-scroll"],
  },
  {
    name: "search",
    path: () => `/search?q=${PROJECT}`,
    as: "anonymous",
    actions: {
      '"Search" button': button("Search"),
      "result link": (page) => main(page).locator(`a[href="${P}"]`).first(),
    },
    screenshot: true,
  },
  {
    name: "settings-tokens",
    path: () => "/settings/tokens",
    as: "ada",
    actions: { '"Create token" button': button("Create token") },
  },
  {
    name: "settings-profile",
    path: () => "/settings/profile",
    as: "ada",
    actions: { '"Save profile" button': button("Save profile") },
  },
  {
    name: "project-settings",
    path: () => `${P}/settings`,
    as: "ada",
    actions: { '"Save changes" button': button("Save changes") },
  },
  {
    name: "new-project",
    path: () => "/new",
    as: "ada",
    actions: { '"Create project" button': button("Create project") },
    screenshot: true,
  },
  {
    name: "private-project",
    path: () => `/${ADA.handle}/${PRIVATE}`,
    as: "ada",
    actions: { "Star button": button("☆ Star") },
  },
  { name: "admin", path: () => "/admin", as: "ada", actions: { '"Accounts" link': link("Accounts") } },
  {
    name: "not-found",
    path: () => `/${ADA.handle}/no-such-project`,
    as: "anonymous",
    status: 404,
    actions: { '"Go home" link': link("Go home") },
    screenshot: true,
  },
  {
    name: "legal",
    path: () => "/legal",
    as: "anonymous",
    actions: { heading: (page) => page.getByRole("heading", { level: 1, name: "Terms, privacy and abuse" }) },
  },
  // More pages, checked for fit and actions only.
  {
    name: "blame",
    path: () => `${P}/blame/main/src/main.ts`,
    as: "anonymous",
    actions: { '"Raw" link': link("Raw") },
  },
  {
    name: "branches",
    path: () => `${P}/branches`,
    as: "anonymous",
    actions: { "branch link": link("main") },
  },
  {
    name: "code-search",
    path: () => `${P}/search?q=shine`,
    as: "anonymous",
    actions: { '"Search" button': button("Search"), match: (page) => main(page).locator("mark").first() },
  },
  {
    name: "stargazers",
    path: () => `${P}/stargazers`,
    as: "anonymous",
    actions: { "stargazer link": link("ben") },
  },
  {
    name: "followers",
    path: () => `/users/${BEN.handle}/followers`,
    as: "ada",
    actions: {
      "follower link": (page) => main(page).locator(`a.follow-who[href="/${CLEO.handle}"]`),
      "Follow button": button(`Follow ${CLEO.handle}`),
    },
  },
  {
    name: "following",
    path: () => `/users/${CLEO.handle}/following`,
    as: "anonymous",
    actions: {
      "followed link": (page) => main(page).locator(`a.follow-who[href="/${BEN.handle}"]`),
      '"Back to the profile" link': link("Back to the profile"),
    },
  },
  {
    name: "org-members",
    path: () => `/orgs/${ORG}/members`,
    as: "ada",
    actions: { "member link": (page) => main(page).locator(`a[href="/${ADA.handle}"]`).first() },
  },
  {
    name: "new-org",
    path: () => "/orgs/new",
    as: "ada",
    actions: { '"Create organization" button': button("Create organization") },
  },
  { name: "admin-users", path: () => "/admin/users", as: "ada", actions: { "account link": link("ben") } },
  {
    name: "settings-email",
    path: () => "/settings/email",
    as: "ada",
    actions: { '"Change email" button': button("Change email") },
  },
  {
    name: "settings-two-factor",
    path: () => "/settings/two-factor",
    as: "ada",
    actions: { "set-up button": button("Set up an authenticator app") },
  },
  {
    name: "forgot-password",
    path: () => "/forgot-password",
    as: "anonymous",
    actions: { '"Send reset link" button': button("Send reset link") },
  },
];
