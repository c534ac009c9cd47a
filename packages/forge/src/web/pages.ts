// All server-rendered pages, most specific paths first; /:owner and /:owner/:project last.
import { Hono } from "hono";
import { reviewPages } from "../abuse/review-pages.tsx";
import { authPages } from "../accounts/auth-pages.tsx";
import { profilePage } from "../accounts/profile-page.tsx";
import { adminPages } from "../admin/admin-pages.tsx";
import { blamePages } from "../blame/blame-pages.tsx";
import { browsePages } from "../browse/browse-pages.tsx";
import { checksSchemaPage } from "../checks/checks-schema.ts";
import { devicePages } from "../device/device-pages.tsx";
import { devicesPages } from "../devices/devices-pages.tsx";
import { guidesPages } from "../docs/guides-pages.tsx";
import { micBundle } from "../docs/mic-bundle.ts";
import { skillPage } from "../docs/skill-page.ts";
import { errorsPages } from "../error-tracking/errors-pages.tsx";
import { repliesPages } from "../federation/replies-pages.tsx";
import { followsPages } from "../follows/follows-pages.tsx";
import { homePage } from "../home/home-page.tsx";
import type { AppEnv } from "../http/context.ts";
import { limitsPages } from "../limits/limits-pages.tsx";
import { mailPages } from "../mail/mail-pages.ts";
import { metaPages } from "../meta/meta-pages.tsx";
import { notificationsPages, unreadForHeader } from "../notifications/notifications-pages.tsx";
import { linkedAccountsPages } from "../oauth/linked-accounts-pages.tsx";
import { oauthPages } from "../oauth/oauth-pages.tsx";
import { ogPages } from "../og/og-pages.ts";
import { orgPages } from "../orgs/org-pages.tsx";
import { passkeyAssets } from "../passkeys/passkey-assets.tsx";
import { passkeyLoginPages } from "../passkeys/passkey-login-pages.tsx";
import { passkeysPages } from "../passkeys/passkeys-pages.tsx";
import { profilePages } from "../profiles/profile-pages.tsx";
import { projectPages } from "../projects/project-pages.tsx";
import { promptsPages } from "../prompts/prompts-pages.tsx";
import { qualityPages } from "../quality/quality-pages.tsx";
import { sessionReviewPages } from "../reviews/review-pages.tsx";
import { searchPages } from "../search/search-pages.tsx";
import { artifactPages } from "../sessions/session-artifacts-api.ts";
import { sessionPages } from "../sessions/session-pages.tsx";
import { socialPages } from "../social/social-pages.tsx";
import { storagePages } from "../storage/storage-pages.tsx";
import { orgTokenPages } from "../tokens/org-token-pages.tsx";
import { tokenPages } from "../tokens/token-pages.tsx";
import { agentPages } from "../trust/agent-page.tsx";
import { agentPolicyPages } from "../trust/agent-policy-pages.tsx";
import { circuitPages } from "../trust/circuit-pages.tsx";
import { reviewBudgetPages } from "../trust/review-budget-pages.tsx";
import { twoFactorPages } from "../two-factor/two-factor-pages.tsx";
import { hooksPages } from "../webhooks/hooks-pages.tsx";

export const webPages = new Hono<AppEnv>();
webPages.use("*", unreadForHeader);
for (const pages of [
  homePage,
  metaPages,
  ogPages,
  skillPage,
  guidesPages,
  checksSchemaPage,
  micBundle,
  authPages,
  passkeyAssets,
  passkeyLoginPages,
  passkeysPages,
  oauthPages,
  linkedAccountsPages,
  mailPages,
  errorsPages,
  adminPages,
  reviewPages,
  limitsPages,
  tokenPages,
  orgTokenPages,
  storagePages, // before orgPages: /orgs/:org/storage
  devicePages,
  twoFactorPages,
  devicesPages,
  profilePages,
  orgPages,
  blamePages,
  promptsPages,
  reviewBudgetPages, // before sessionPages: /sessions/review-batch is not /sessions/:id
  sessionPages,
  agentPages,
  circuitPages,
  agentPolicyPages,
  hooksPages,
  notificationsPages,
  qualityPages,
  artifactPages,
  socialPages,
  sessionReviewPages,
  repliesPages,
  followsPages,
  browsePages,
  projectPages,
  searchPages,
  profilePage,
])
  webPages.route("/", pages);
