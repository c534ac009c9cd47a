// The request context shared by every route: the forge's services and who is asking.

import type { Viewer } from "../accounts/viewer.ts";
import type { WebSession } from "../accounts/web-sessions.ts";
import type { Config } from "../config/config.ts";
import type { SecretBox } from "../crypto/secret-box.ts";
import type { DatabaseHandle, Db } from "../db/db.ts";
import type { NotifyBus } from "../db/notify-bus.ts";
import type { ErrorTracker } from "../error-tracking/error-tracker.ts";
import type { Lander } from "../landing/lander.ts";
import type { ObjectStore } from "../objects/object-store.ts";
import type { Logger } from "../ops/logger.ts";
import type { OutboundDeps } from "../outbound/outbound-client.ts";
import type { GitRepos } from "../repos/git-layer/git-repos.ts";
import type { RepoStore } from "../repos/repo-store.ts";
import type { DailyTheme } from "../theme/daily-theme.ts";
import type { RateLimiter } from "./rate-limit.ts";

export interface Forge {
  config: Config;
  db: Db;
  database: DatabaseHandle;
  log: Logger;
  limiter: RateLimiter;
  repos: RepoStore;
  /** The git layer: long-lived git processes per repository (repos/git-layer/, ADR 22). */
  git: GitRepos;
  lander: Lander;
  /** Messages to every forge process of the instance (LISTEN/NOTIFY; db/notify-bus.ts, ADR 23). */
  bus: NotifyBus;
  /** Artifacts the forge makes and keeps: OG images, themes (data/objects by default). */
  objects: ObjectStore;
  /** The day's theme personality for pages (theme/). */
  theme: DailyTheme;
  /** Encrypts the secrets the forge keeps in the database and must read back (crypto/). */
  secrets: SecretBox;
  /** How requests to user-given addresses resolve and what the allowlist opens (outbound/). */
  outbound: OutboundDeps;
  /** Captures errors into /admin/errors (error-tracking/). */
  errors: ErrorTracker;
}

export type AppEnv = {
  Variables: {
    forge: Forge;
    viewer: Viewer;
    webSession: WebSession | null;
    /** How the viewer authenticated. */
    authVia: "none" | "session" | "token" | "basic";
    /** The token a web form must echo back (session token, or the anonymous cookie). */
    csrfToken: string;
    requestId: string;
    log: Logger;
    /** The signed-in person's unread notifications, for the page header (notifications/). */
    unread?: number;
  };
};
