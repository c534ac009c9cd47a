// Reads the forge's settings from the environment once, with the embedded defaults.
import { resolve } from "node:path";
import { z } from "zod";
import { parseSecretKey, type SecretKey } from "../crypto/secret-key.ts";
import type { S3Settings } from "../objects/s3-object-store.ts";
import { type SandboxSettings, sandboxEnv, sandboxSettings } from "./sandbox-settings.ts";

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default("0.0.0.0"),
  MICELIO_DATA_DIR: z.string().default("./data"),
  DATABASE_URL: z.string().optional(),
  MICELIO_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, "must be a lower-case SQL identifier")
    .optional(),
  REDIS_URL: z.string().optional(),
  MICELIO_PUBLIC_URL: z.string().optional(),
  MICELIO_CDN_URL: z.string().url().optional(),
  MICELIO_REGISTRATION: z.enum(["open", "invite-only", "closed"]).default("open"),
  MICELIO_RATE_LIMIT_ANON: z.coerce.number().int().positive().default(300),
  MICELIO_RATE_LIMIT_USER: z.coerce.number().int().positive().default(1200),
  MICELIO_RATE_LIMIT_AGENT: z.coerce.number().int().positive().default(3000),
  MICELIO_PROJECT_LIMIT: z.coerce.number().int().min(0).default(25),
  MICELIO_LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  MICELIO_LOGIN_MAX_FAILURES_IP: z.coerce.number().int().positive().default(50),
  MICELIO_LOGIN_WINDOW: z.coerce.number().int().positive().default(900),
  MICELIO_ABUSE_SIGNUPS_PER_IP: z.coerce.number().int().positive().default(5),
  MICELIO_ABUSE_PROJECTS_PER_HOUR: z.coerce.number().int().positive().default(10),
  MICELIO_ABUSE_LINKS: z.coerce.number().int().positive().default(20),
  MICELIO_ABUSE_FAILED_PUSHES: z.coerce.number().int().positive().default(10),
  MICELIO_GIT_TIMEOUT: z.coerce.number().int().positive().default(1800),
  MICELIO_GIT_PROCESSES: z.coerce.number().int().positive().default(32),
  MICELIO_GIT_PROCESSES_PER_CLIENT: z.coerce.number().int().positive().default(4),
  MICELIO_GIT_QUEUE: z.coerce.number().int().min(0).default(128),
  MICELIO_GIT_QUEUE_PER_CLIENT: z.coerce.number().int().min(0).default(32),
  MICELIO_GIT_QUEUE_WAIT: z.coerce.number().int().positive().default(30),
  MICELIO_GIT_MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(32 * 2 ** 20),
  MICELIO_GIT_MAX_PUSH_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 2 ** 30),
  MICELIO_GIT_MAX_PUSH_OBJECTS: z.coerce.number().int().positive().default(2_000_000),
  MICELIO_BUNDLE_URI: z.enum(["on", "off"]).default("on"),
  MICELIO_BUNDLE_MIN_COMMITS: z.coerce.number().int().min(1).default(2000),
  MICELIO_BUNDLE_MIN_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(64 * 2 ** 20),
  MICELIO_BUNDLE_INTERVAL: z.coerce.number().int().min(0).default(3600),
  MICELIO_OUTBOUND_ALLOW: z.string().max(10_000).optional(),
  MICELIO_FEDERATION: z.enum(["on", "off"]).default("on"),
  MICELIO_FEDERATION_BLOCK: z.string().max(10_000).optional(),
  MICELIO_ERROR_RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  SENTRY_DSN: z.string().url().optional(),
  MICELIO_ERROR_WEBHOOK: z.string().url().optional(),
  MICELIO_ERROR_WEBHOOK_SECRET: z.string().min(16).optional(),
  MICELIO_WEBHOOK_RETRY_SECONDS: z.coerce.number().positive().default(10),
  MICELIO_SECURE_COOKIES: z.enum(["auto", "true", "false"]).default("auto"),
  MICELIO_SECRET_KEY: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      const key = parseSecretKey(text);
      // The message never repeats the value.
      if (!key) ctx.addIssue({ code: "custom", message: "must be 32 bytes: 64 hex digits or base64" });
      return key ?? undefined;
    }),
  MICELIO_SECRET_KEY_PREVIOUS: z
    .string()
    .max(2000)
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return [];
      const keys = text
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean)
        .map(parseSecretKey);
      // The message never repeats the value.
      if (keys.some((k) => !k))
        ctx.addIssue({ code: "custom", message: "each key must be 32 bytes: 64 hex digits or base64" });
      return keys.filter((k): k is SecretKey => Boolean(k));
    }),
  LOG_LEVEL: z.string().default("info"),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/i, "must be an smtp:// or smtps:// URL")
    .optional(),
  MICELIO_MAIL_FROM: z.string().max(320).optional(),
  MICELIO_ABUSE_EMAIL: z.email().optional(),
  MICELIO_S3_BUCKET: z.string().min(3).max(63).optional(),
  MICELIO_S3_ENDPOINT: z.url().optional(),
  MICELIO_S3_REGION: z.string().default("us-east-1"),
  MICELIO_S3_ACCESS_KEY_ID: z.string().optional(),
  MICELIO_S3_SECRET_ACCESS_KEY: z.string().optional(),
  MICELIO_S3_PATH_STYLE: z.enum(["true", "false"]).optional(),
  MICELIO_S3_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9][A-Za-z0-9._-]*\/)*$/, "must be empty or end with '/'")
    .default(""),
  MICELIO_DAILY_THEME: z.enum(["on", "off"]).default("on"),
  MICELIO_LLM_URL: z.url({ protocol: /^https?$/ }).optional(),
  MICELIO_LLM_API_KEY: z.string().optional(),
  MICELIO_LLM_MODEL: z.string().max(200).optional(),
  MICELIO_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(20_000),
  MICELIO_CHANGE_SUMMARIES: z.enum(["public", "all", "off"]).default("public"),
  MICELIO_CHANGE_SUMMARIES_PER_HOUR: z.coerce.number().int().min(0).max(100_000).default(60),
  MICELIO_GITHUB_CLIENT_ID: z.string().max(200).optional(),
  MICELIO_GITHUB_CLIENT_SECRET: z.string().max(500).optional(),
  MICELIO_GITHUB_URL: z.url({ protocol: /^https?$/ }).optional(),
  MICELIO_GITHUB_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  MICELIO_GITLAB_CLIENT_ID: z.string().max(200).optional(),
  MICELIO_GITLAB_CLIENT_SECRET: z.string().max(500).optional(),
  MICELIO_GITLAB_URL: z.url({ protocol: /^https?$/ }).optional(),
  MICELIO_OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  MICELIO_OIDC_CLIENT_ID: z.string().max(200).optional(),
  MICELIO_OIDC_CLIENT_SECRET: z.string().max(500).optional(),
  MICELIO_OIDC_NAME: z.string().max(60).optional(),
  ...sandboxEnv,
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL schema to use (created if missing); default: the server's search_path. */
  databaseSchema?: string;
  redisUrl?: string;
  publicUrl?: string;
  /** Where clients fetch objects by id (content/object-urls.ts): a CDN in front of the forge. */
  cdnUrl?: string;
  /** The default registration mode; administrators can change it at runtime (admin/registration.ts). */
  registration: "open" | "invite-only" | "closed";
  rateLimit: { anonymousPerMinute: number; userPerMinute: number; agentPerMinute: number };
  /** Projects an account may own unless an administrator set its own limit (limits/). */
  projectLimit: number;
  /** Failed sign-ins allowed per login name and per IP within `windowSeconds` (limits/). */
  login: { maxFailures: number; maxFailuresPerIp: number; windowSeconds: number };
  /** Thresholds that put an account in the administrators' review queue (abuse/). */
  abuse: { signupsPerIpHour: number; projectsPerHour: number; links: number; failedPushesHour: number };
  /** Caps on git smart HTTP (repos/git-service.ts): time, concurrency and request sizes. */
  git: GitLimits;
  /** Clone bundles advertised with protocol v2's bundle-uri (repos/bundles/). */
  bundles: BundleSettings;
  /** "auto": Secure cookies whenever the request arrived over https. */
  /** The first webhook retry's delay; each next one is four times longer (webhooks/deliver.ts). */
  webhookRetryMs: number;
  /** MICELIO_OUTBOUND_ALLOW: names and addresses outbound requests may reach although private. */
  outboundAllow: string | undefined;
  /** ActivityPub (federation/): on unless MICELIO_FEDERATION=off; blocked domains (and their subdomains). */
  federation: { enabled: boolean; block: string[] };
  /** Error groups not seen for this long are deleted (error-tracking/). */
  errorRetentionDays: number;
  /** Forward captured errors to Sentry (off unless set). */
  sentryDsn: string | undefined;
  /** Also POST error alerts (new, back, spiking) as JSON to this URL (error-tracking/). */
  errorWebhook: string | undefined;
  /** Signs the error webhook's bodies (X-Micelio-Signature-256), like project webhooks. */
  errorWebhookSecret: string | undefined;
  secureCookies: "auto" | "true" | "false";
  /**
   * The key that encrypts secrets kept in the database (crypto/); unset: the key in
   * <dataDir>/secret.key, made on first start.
   */
  secretKey?: SecretKey;
  /** MICELIO_SECRET_KEY_PREVIOUS: keys still accepted for opening while `micelio rotate-key` runs. */
  previousSecretKeys?: SecretKey[];
  logLevel: string;
  /** smtp(s)://user:pass@host:port to send mail; without it mail is written to files (mail/). */
  smtpUrl?: string;
  /** The From address of the forge's mail; default "Micelio <noreply@host of the public URL>". */
  mailFrom?: string;
  /** Where to report abuse, shown on /legal; the administrators' profiles when unset. */
  abuseEmail?: string;
  /** Keep artifacts in this S3-compatible bucket instead of data/objects. */
  s3?: S3Settings;
  /** "off": the plain built-in style; "on": a theme personality each day (theme/). */
  dailyTheme: "on" | "off";
  /** An OpenAI-compatible chat-completions endpoint for the daily theme; unset: the built-in generator. */
  llm?: { url: string; apiKey?: string; model: string; timeoutMs: number };
  /**
   * One-line summaries of code changes on Open Graph cards (summaries/): which projects' code
   * is sent to the LLM ("public", the default; "all", private ones too; "off"), and at most
   * how many requests start in an hour across the forge.
   */
  changeSummaries: { mode: "public" | "all" | "off"; perHour: number };
  /** Sign-in through other services (oauth/); a provider is on when its client id and secret are set. */
  oauth: OAuthSettings;
  /** Where validation steps run and their default limits (sandbox/). */
  sandbox: SandboxSettings;
}

export interface GitLimits {
  /** Wall-clock limit of one git service process; it is killed after this long. */
  timeoutMs: number;
  /** Git service processes running at once, across the forge and per client (user, else IP). */
  processes: number;
  processesPerClient: number;
  /** Requests that may wait for a process, across the forge and per client; more get 503. */
  queue: number;
  queuePerClient: number;
  /** The longest a request waits for a process before 503 with Retry-After. */
  queueWaitMs: number;
  /** The largest fetch request body (after gzip decoding) and ref-update section of a push. */
  maxRequestBytes: number;
  /** The largest pack a push may send (also git's receive.maxInputSize), and its most objects. */
  maxPushBytes: number;
  maxPushObjects: number;
}

export interface BundleSettings {
  enabled: boolean;
  /** A repository gets a bundle once its default branch has this many commits… */
  minCommits: number;
  /** …or its packs take this many bytes. */
  minBytes: number;
  /** A bundle is rebuilt when the refs moved and it is at least this old (ms). */
  intervalMs: number;
}

export interface OAuthSettings {
  github?: { clientId: string; clientSecret: string; url: string; apiUrl: string };
  gitlab?: { clientId: string; clientSecret: string; url: string };
  oidc?: { issuer: string; clientId: string; clientSecret: string; name: string };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`invalid setting ${first.path.join(".")}: ${first.message}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.MICELIO_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databaseSchema: e.MICELIO_DATABASE_SCHEMA,
    redisUrl: e.REDIS_URL,
    publicUrl: e.MICELIO_PUBLIC_URL,
    cdnUrl: e.MICELIO_CDN_URL?.replace(/\/+$/, ""),
    registration: e.MICELIO_REGISTRATION,
    rateLimit: {
      anonymousPerMinute: e.MICELIO_RATE_LIMIT_ANON,
      userPerMinute: e.MICELIO_RATE_LIMIT_USER,
      agentPerMinute: e.MICELIO_RATE_LIMIT_AGENT,
    },
    projectLimit: e.MICELIO_PROJECT_LIMIT,
    login: {
      maxFailures: e.MICELIO_LOGIN_MAX_FAILURES,
      maxFailuresPerIp: e.MICELIO_LOGIN_MAX_FAILURES_IP,
      windowSeconds: e.MICELIO_LOGIN_WINDOW,
    },
    abuse: {
      signupsPerIpHour: e.MICELIO_ABUSE_SIGNUPS_PER_IP,
      projectsPerHour: e.MICELIO_ABUSE_PROJECTS_PER_HOUR,
      links: e.MICELIO_ABUSE_LINKS,
      failedPushesHour: e.MICELIO_ABUSE_FAILED_PUSHES,
    },
    git: {
      timeoutMs: e.MICELIO_GIT_TIMEOUT * 1000,
      processes: e.MICELIO_GIT_PROCESSES,
      processesPerClient: e.MICELIO_GIT_PROCESSES_PER_CLIENT,
      queue: e.MICELIO_GIT_QUEUE,
      queuePerClient: e.MICELIO_GIT_QUEUE_PER_CLIENT,
      queueWaitMs: e.MICELIO_GIT_QUEUE_WAIT * 1000,
      maxRequestBytes: e.MICELIO_GIT_MAX_REQUEST_BYTES,
      maxPushBytes: e.MICELIO_GIT_MAX_PUSH_BYTES,
      maxPushObjects: e.MICELIO_GIT_MAX_PUSH_OBJECTS,
    },
    bundles: {
      enabled: e.MICELIO_BUNDLE_URI === "on",
      minCommits: e.MICELIO_BUNDLE_MIN_COMMITS,
      minBytes: e.MICELIO_BUNDLE_MIN_BYTES,
      intervalMs: e.MICELIO_BUNDLE_INTERVAL * 1000,
    },
    webhookRetryMs: e.MICELIO_WEBHOOK_RETRY_SECONDS * 1000,
    outboundAllow: e.MICELIO_OUTBOUND_ALLOW,
    federation: {
      enabled: e.MICELIO_FEDERATION === "on",
      block: (e.MICELIO_FEDERATION_BLOCK ?? "")
        .split(/[\s,]+/)
        .map((d) => d.trim().toLowerCase().replace(/\.$/, ""))
        .filter(Boolean),
    },
    errorRetentionDays: e.MICELIO_ERROR_RETENTION_DAYS,
    sentryDsn: e.SENTRY_DSN,
    errorWebhook: e.MICELIO_ERROR_WEBHOOK,
    errorWebhookSecret: e.MICELIO_ERROR_WEBHOOK_SECRET,
    secureCookies: e.MICELIO_SECURE_COOKIES,
    secretKey: e.MICELIO_SECRET_KEY,
    previousSecretKeys: e.MICELIO_SECRET_KEY_PREVIOUS,
    logLevel: e.LOG_LEVEL,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MICELIO_MAIL_FROM,
    abuseEmail: e.MICELIO_ABUSE_EMAIL,
    s3: e.MICELIO_S3_BUCKET
      ? {
          bucket: e.MICELIO_S3_BUCKET,
          endpoint: e.MICELIO_S3_ENDPOINT,
          region: e.MICELIO_S3_REGION,
          accessKeyId: e.MICELIO_S3_ACCESS_KEY_ID,
          secretAccessKey: e.MICELIO_S3_SECRET_ACCESS_KEY,
          // Self-hosted services (an endpoint given) mostly need path-style URLs.
          forcePathStyle: e.MICELIO_S3_PATH_STYLE
            ? e.MICELIO_S3_PATH_STYLE === "true"
            : Boolean(e.MICELIO_S3_ENDPOINT),
          prefix: e.MICELIO_S3_PREFIX,
        }
      : undefined,
    dailyTheme: e.MICELIO_DAILY_THEME,
    changeSummaries: { mode: e.MICELIO_CHANGE_SUMMARIES, perHour: e.MICELIO_CHANGE_SUMMARIES_PER_HOUR },
    llm: e.MICELIO_LLM_URL
      ? {
          url: e.MICELIO_LLM_URL,
          apiKey: e.MICELIO_LLM_API_KEY,
          model: e.MICELIO_LLM_MODEL ?? "gpt-4o-mini",
          timeoutMs: e.MICELIO_LLM_TIMEOUT_MS,
        }
      : undefined,
    oauth: oauthSettings(e),
    sandbox: sandboxSettings(e),
  };
}

function oauthSettings(e: z.infer<typeof schema>): OAuthSettings {
  const trim = (u: string) => u.replace(/\/+$/, "");
  const out: OAuthSettings = {};
  if (e.MICELIO_GITHUB_CLIENT_ID && e.MICELIO_GITHUB_CLIENT_SECRET) {
    const url = trim(e.MICELIO_GITHUB_URL ?? "https://github.com");
    out.github = {
      clientId: e.MICELIO_GITHUB_CLIENT_ID,
      clientSecret: e.MICELIO_GITHUB_CLIENT_SECRET,
      url,
      // github.com serves its API from api.github.com; a test or Enterprise server from one URL.
      apiUrl: trim(e.MICELIO_GITHUB_API_URL ?? (e.MICELIO_GITHUB_URL ? url : "https://api.github.com")),
    };
  }
  if (e.MICELIO_GITLAB_CLIENT_ID && e.MICELIO_GITLAB_CLIENT_SECRET) {
    out.gitlab = {
      clientId: e.MICELIO_GITLAB_CLIENT_ID,
      clientSecret: e.MICELIO_GITLAB_CLIENT_SECRET,
      url: trim(e.MICELIO_GITLAB_URL ?? "https://gitlab.com"),
    };
  }
  if (e.MICELIO_OIDC_ISSUER && e.MICELIO_OIDC_CLIENT_ID && e.MICELIO_OIDC_CLIENT_SECRET) {
    out.oidc = {
      issuer: e.MICELIO_OIDC_ISSUER,
      clientId: e.MICELIO_OIDC_CLIENT_ID,
      clientSecret: e.MICELIO_OIDC_CLIENT_SECRET,
      name: e.MICELIO_OIDC_NAME ?? "OpenID Connect",
    };
  }
  return out;
}
