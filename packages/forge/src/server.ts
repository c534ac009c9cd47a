// Starts and stops a whole forge: database (migrated), rate limiter, HTTP server, and the
// background workers; stopping finishes in-flight requests and jobs first.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { getRequestListener } from "@hono/node-server";
import { noteReadme, noticing } from "./abuse/abuse-service.ts";
import { buildApp } from "./app.ts";
import { validationJobHandlers } from "./checks/validation-job.ts";
import { providerOf } from "./checks/validation-service.ts";
import type { Config } from "./config/config.ts";
import { openInstanceSecrets } from "./crypto/instance-secrets.ts";
import { type DatabaseHandle, openDatabase } from "./db/db.ts";
import { migrate } from "./db/migrate.ts";
import { createNotifyBus } from "./db/notify-bus.ts";
import { pgliteOnThread } from "./db/pglite-open.ts";
import { ErrorTracker, occurrenceOf, trackLogger } from "./error-tracking/error-tracker.ts";
import { federationJobHandlers, watchForFederationEvents } from "./federation/federation-jobs.ts";
import { grpcHandler } from "./grpc/grpc-routes.ts";
import { createOnePortServer } from "./grpc/one-port-server.ts";
import { parseTrustProxy } from "./http/client-ip.ts";
import type { Forge } from "./http/context.ts";
import { createRateLimiter } from "./http/rate-limit.ts";
import { JobWorker, scheduleCron } from "./jobs/index.ts";
import { Lander } from "./landing/lander.ts";
import { mailJobHandlers } from "./mail/mail-handlers.ts";
import {
  NOTIFY_DIGEST_CRON,
  notificationJobHandlers,
  watchForNotifications,
} from "./notifications/notify-jobs.ts";
import { localObjectStore } from "./objects/object-store.ts";
import { s3ObjectStore } from "./objects/s3-object-store.ts";
import { createLogger, type Logger } from "./ops/logger.ts";
import { MAINTENANCE_CRON, maintenanceHandlers } from "./ops/maintenance.ts";
import { syncRefCaches } from "./ops/ref-cache-sync.ts";
import { parseOutboundAllow } from "./outbound/address-policy.ts";
import { syncProjectViews } from "./projects/project-view-cache.ts";
import { QUALITY_ALERTS_CRON, qualityAlertHandlers } from "./quality/quality-alert-job.ts";
import { GitRepos } from "./repos/git-layer/git-repos.ts";
import { compactWhenPacksPile, repoJobHandlers } from "./repos/maintain.ts";
import { createRepoStore } from "./repos/repo-store.ts";
import { searchJobHandlers } from "./search/readme-index.ts";
import { configureBorrowers } from "./social/forks-repo.ts";
import { STORAGE_REVALIDATE_CRON, storageJobHandlers } from "./storage/storage-jobs.ts";
import { summaryJobHandlers } from "./summaries/summarize-job.ts";
import { DailyTheme } from "./theme/daily-theme.ts";
import { THEME_CRON, themeJobHandlers } from "./theme/theme-jobs.ts";
import { syncTokenCache } from "./tokens/token-cache.ts";
import { watchForHookEvents, webhookJobHandlers } from "./webhooks/deliver.ts";

export interface RunningForge {
  url: string;
  port: number;
  forge: Forge;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Use this database instead of opening one from the config (tests). */
  database?: DatabaseHandle;
  log?: Logger;
}

export async function startForge(config: Config, opts: StartOptions = {}): Promise<RunningForge> {
  const rawLog = opts.log ?? createLogger(config.logLevel);
  // Error-level logs are also captured into /admin/errors once the database is open.
  const errors = new ErrorTracker();
  const log = trackLogger(rawLog, errors);
  parseTrustProxy(process.env.MICELIO_TRUST_PROXY); // a wrong setting stops the start, not each request
  const outbound = { allow: parseOutboundAllow(config.outboundAllow) };
  mkdirSync(config.dataDir, { recursive: true });
  const database =
    opts.database ??
    (await openDatabase({
      url: config.databaseUrl,
      schema: config.databaseSchema,
      dir: config.databaseUrl ? undefined : join(config.dataDir, "db"),
      thread: pgliteOnThread(),
    }));
  const applied = await migrate(database);
  let url = config.publicUrl ?? "";
  errors.attach({
    db: database.db,
    log: rawLog,
    sentryDsn: config.sentryDsn,
    errorWebhook: config.errorWebhook,
    errorWebhookSecret: config.errorWebhookSecret,
    baseUrl: () => url,
    outbound,
  });
  if (applied.length) log.info({ applied }, "database migrated");
  const secrets = await openInstanceSecrets(config, database.db, log);
  const limiter = createRateLimiter({ ...config.rateLimit, redisUrl: config.redisUrl });
  await limiter.ready;
  const repos = createRepoStore(config.dataDir);
  const hidden = await configureBorrowers(repos);
  if (hidden)
    log.info({ forks: hidden }, "forks configured to keep their parents' refs and objects to themselves");
  const git = new GitRepos();
  // One lander per project across processes on PostgreSQL (ADR 23); recovery takes the same lock.
  const lander = new Lander(database.db, repos, git, log, {
    lock: database.kind === "postgres" ? "advisory" : "in-process",
  });
  const recovered = await lander.recoverAll();
  if (recovered)
    log.warn({ recovered }, "landings found on trunk but missing from the database were recorded");
  const bus = createNotifyBus(database, log); // cross-process messages (db/notify-bus.ts)
  const stopRefSync = syncRefCaches(
    database,
    bus,
    (id) => repos.dir(id),
    (err) => log.error({ err }, "announcing moved refs failed"),
  );
  const stopTokenSync = syncTokenCache(bus); // cached token authentications (tokens/token-cache.ts)
  const stopProjectSync = syncProjectViews(bus); // cached projects of pages (projects/project-view-cache.ts)
  const objects = config.s3 ? s3ObjectStore(config.s3) : localObjectStore(join(config.dataDir, "objects"));
  const theme = new DailyTheme({ enabled: config.dailyTheme === "on", llm: config.llm, objects, log });
  const forge: Forge = {
    config,
    db: database.db,
    database,
    log,
    limiter,
    repos,
    git,
    lander,
    bus,
    objects,
    theme,
    secrets,
    outbound,
    errors,
  };
  const mail = mailJobHandlers({ db: database.db, config, log, baseUrl: () => url });
  const handlers = {
    ...maintenanceHandlers(database.db, config.dataDir, objects, config.errorRetentionDays),
    ...repoJobHandlers(repos, { db: database.db, settings: config.bundles }),
    ...searchJobHandlers(database.db, repos, (projectId, text) =>
      noticing(log, noteReadme(database.db, config.abuse, projectId, text)),
    ),
    ...mail.handlers,
    ...themeJobHandlers(theme),
    ...summaryJobHandlers({ db: database.db, repos, config, log }),
    ...validationJobHandlers(forge),
    ...qualityAlertHandlers(database.db),
    ...notificationJobHandlers(database.db),
    ...webhookJobHandlers({
      db: database.db,
      secrets,
      outbound,
      baseUrl: () => url,
      retryMs: config.webhookRetryMs,
    }),
    ...federationJobHandlers(forge, () => url),
    ...storageJobHandlers(forge),
  };
  const worker = new JobWorker({
    db: database.db,
    handlers,
    log,
    onFailure: (job, err) =>
      errors.capture(occurrenceOf(err, "job", { job: job.id, kind: job.kind, attempt: job.attempts })),
  });
  await worker.start();
  const stopCompaction = compactWhenPacksPile(database.db, repos, (err) =>
    log.warn({ err }, "could not schedule a repository's compaction"),
  );
  const stopHookWatch = watchForHookEvents(database.db, bus, log);
  const stopNotifyWatch = watchForNotifications(database.db, bus, log);
  const stopFederationWatch = watchForFederationEvents(database.db, bus, log);
  const stopDigestCron = scheduleCron(database.db, { ...NOTIFY_DIGEST_CRON, log });
  // What a forge process that died mid-run left in the sandbox (control groups, run directories).
  void providerOf(forge)
    ?.sweep()
    .catch((err) => log.warn({ err }, "sandbox sweep failed"));
  const stopCron = scheduleCron(database.db, { ...MAINTENANCE_CRON, log });
  const stopQualityCron = scheduleCron(database.db, { ...QUALITY_ALERTS_CRON, log });
  const stopStorageCron = scheduleCron(database.db, { ...STORAGE_REVALIDATE_CRON, log });
  const stopThemeCron = theme.enabled ? scheduleCron(database.db, { ...THEME_CRON, log }) : async () => {};
  if (theme.enabled) theme.warm(); // in the background: the first pages use the fallback meanwhile
  const app = buildApp(forge);
  // One port: pages, git, REST and Connect over HTTP/1.1; gRPC and the rest over h2c (grpc/).
  const shutdown = new AbortController();
  const server = createOnePortServer(
    grpcHandler(forge, {
      fallback: getRequestListener(app.fetch, { hostname: config.host }),
      shutdown: shutdown.signal,
    }),
  );
  const { port } = await server.listen(config.port, config.host);
  const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  url = config.publicUrl ?? `http://${host}:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    forge,
    stop() {
      stopping ??= (async () => {
        // In-flight requests finish; long-lived streams (SSE, gRPC) get a grace period, then
        // are cut (gRPC streams are told at once); clients reconnect elsewhere.
        shutdown.abort();
        await server.close(5_000);
        await stopCron();
        await stopQualityCron();
        await stopStorageCron();
        await stopThemeCron();
        theme.close();
        await theme.idle();
        await lander.idle();
        await worker.stop({ abortAfterMs: 20_000 });
        git.close();
        stopRefSync();
        stopTokenSync();
        stopProjectSync();
        stopCompaction();
        stopHookWatch();
        stopNotifyWatch();
        stopFederationWatch();
        await stopDigestCron();
        await bus.close();
        await errors.idle();
        errors.detach();
        mail.close();
        await limiter.close();
        if (!opts.database) await database.close();
      })();
      return stopping;
    },
  };
}
