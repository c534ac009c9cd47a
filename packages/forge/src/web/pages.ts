// All server-rendered pages, most specific paths first; /:owner and /:owner/:project last.
import { Hono } from "hono";
import { reviewPages } from "../abuse/review-pages.tsx";
import { authPages } from "../accounts/auth-pages.tsx";
import { profilePage } from "../accounts/profile-page.tsx";
import { adminPages } from "../admin/admin-pages.tsx";
import { blamePages } from "../blame/blame-pages.tsx";
import { browsePages } from "../browse/browse-pages.tsx";
import { devicePages } from "../device/device-pages.tsx";
import { devicesPages } from "../devices/devices-pages.tsx";
import { skillPage } from "../docs/skill-page.ts";
import type { AppEnv } from "../http/context.ts";
import { limitsPages } from "../limits/limits-pages.tsx";
import { mailPages } from "../mail/mail-pages.ts";
import { metaPages } from "../meta/meta-pages.tsx";
import { orgPages } from "../orgs/org-pages.tsx";
import { profilePages } from "../profiles/profile-pages.tsx";
import { projectPages } from "../projects/project-pages.tsx";
import { searchPages } from "../search/search-pages.tsx";
import { sessionPages } from "../sessions/session-pages.tsx";
import { socialPages } from "../social/social-pages.tsx";
import { tokenPages } from "../tokens/token-pages.tsx";
import { twoFactorPages } from "../two-factor/two-factor-pages.tsx";
import { homePage } from "./home-page.tsx";

export const webPages = new Hono<AppEnv>();
for (const pages of [
  homePage,
  metaPages,
  skillPage,
  authPages,
  mailPages,
  adminPages,
  reviewPages,
  limitsPages,
  tokenPages,
  devicePages,
  twoFactorPages,
  devicesPages,
  profilePages,
  orgPages,
  blamePages,
  sessionPages,
  socialPages,
  browsePages,
  projectPages,
  searchPages,
  profilePage,
])
  webPages.route("/", pages);
