// Mail through the job queue with real parts: the file fallback writes a parseable .eml,
// a real SMTP server that refuses at first gets the message on a retry, and a refused
// connection ends, after the maximum attempts, in a dead job. Tokens are never logged and
// are scrubbed from the stored job once it is done.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config/config.ts";
import type { Db } from "../db/db.ts";
import { getJob, JobWorker, retryDead } from "../jobs/index.ts";
import { type JobsTestDatabase, jobsTestDatabase } from "../jobs/test-support.ts";
import type { JobLogger } from "../jobs/types.ts";
import { mailJobHandlers } from "./mail-handlers.ts";
import { enqueueMail, MAIL_MAX_ATTEMPTS } from "./mail-jobs.ts";
import { defaultFrom } from "./mailer.ts";
import { renderMail } from "./templates.ts";
import { closedPort, linkIn, startSmtpSink } from "./test-smtp.ts";

const BASE = "https://forge.example.test";
const TOKEN = "tok_0123456789abcdefghijklmnopqrstuv";

function capturingLog() {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const log: JobLogger = {
    info: (obj, msg) => lines.push({ level: "info", obj, msg }),
    warn: (obj, msg) => lines.push({ level: "warn", obj, msg }),
    error: (obj, msg) => lines.push({ level: "error", obj, msg }),
  };
  return { log, lines, text: () => JSON.stringify(lines) };
}

describe("mail jobs", () => {
  let t: JobsTestDatabase;
  let db: Db;
  let dataDir: string;
  beforeAll(async () => {
    t = await jobsTestDatabase();
    db = t.handle.db;
    dataDir = mkdtempSync(join(tmpdir(), "micelio-mail-"));
  });
  afterAll(async () => {
    await t.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await db.deleteFrom("jobs").execute();
  });

  /** A worker running only the mail handlers, retrying at once (no waiting between attempts). */
  function worker(smtpUrl: string | undefined, log: JobLogger) {
    const mail = mailJobHandlers({ db, config: { smtpUrl, dataDir }, log, baseUrl: () => BASE });
    const w = new JobWorker({ db, handlers: mail.handlers, log, backoff: () => 0 });
    return { w, close: () => mail.close() };
  }

  it("without SMTP writes a parseable .eml file and logs only recipient and subject", async () => {
    const cap = capturingLog();
    const { w, close } = worker(undefined, cap.log);
    const id = await db.transaction().execute((trx) =>
      enqueueMail(trx, "ada@example.test", "verify_email", {
        handle: "ada",
        email: "ada@example.test",
        token: TOKEN,
        reason: "signup",
      }),
    );
    expect(await w.drain()).toBe(1);
    close();
    expect((await getJob(db, id))?.state).toBe("completed");
    const dir = join(dataDir, "mail");
    const files = readdirSync(dir).filter((f) => f.endsWith(".eml"));
    expect(files).toHaveLength(1);
    const file = join(dir, files[0]);
    expect(statSync(file).mode & 0o077).toBe(0);
    const mail = await simpleParser(readFileSync(file));
    expect(mail.subject).toBe("Verify your email address");
    expect(mail.from?.text).toBe('"Micelio" <noreply@forge.example.test>');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : "").toBe("ada@example.test");
    expect(linkIn(mail, "/verify-email")).toBe(`/verify-email?token=${TOKEN}`);
    expect(mail.html).toContain(`href="${BASE}/verify-email?token=${TOKEN}"`);
    // The log names the recipient and subject, never the link.
    expect(cap.text()).toContain("ada@example.test");
    expect(cap.text()).toContain("Verify your email address");
    expect(cap.text()).not.toContain(TOKEN);
    // Once sent, the token is gone from the stored job.
    expect(JSON.stringify((await getJob(db, id))?.payload)).not.toContain(TOKEN);
  });

  it("escapes every variable in the HTML body", () => {
    const m = renderMail(
      "email_changed",
      { handle: "ada", oldEmail: '"<b>old</b>"@example.test', newEmail: "new&<i>@example.test" },
      BASE,
    );
    expect(m.html).not.toContain("<b>");
    expect(m.html).not.toContain("<i>");
    expect(m.html).toContain("&quot;&lt;b&gt;old&lt;/b&gt;&quot;@example.test");
    expect(m.html).toContain("new&amp;&lt;i&gt;@example.test");
    expect(m.text).toContain('"<b>old</b>"@example.test');
  });

  it("retries when the SMTP server refuses for a while, then delivers", async () => {
    const sink = await startSmtpSink({ refuseFirst: 2 });
    const { w, close } = worker(sink.url, capturingLog().log);
    try {
      const id = await enqueueMail(db, "bob@example.test", "password_changed", { handle: "bob" });
      await w.drain();
      const job = await getJob(db, id);
      expect(job?.state).toBe("completed");
      expect(job?.attempts).toBe(3);
      expect(sink.refused).toBe(2);
      const mail = await sink.next("bob@example.test");
      expect(mail.subject).toBe("Your password was changed");
      expect(mail.text).toContain("@bob");
    } finally {
      close();
      await sink.close();
    }
  });

  it("ends in a dead job after the maximum attempts when SMTP refuses connections", async () => {
    const port = await closedPort();
    const cap = capturingLog();
    const { w, close } = worker(`smtp://127.0.0.1:${port}`, cap.log);
    try {
      const id = await enqueueMail(db, "cy@example.test", "password_reset", { handle: "cy", token: TOKEN });
      await w.drain();
      const job = await getJob(db, id);
      expect(job?.state).toBe("dead");
      expect(job?.attempts).toBe(MAIL_MAX_ATTEMPTS);
      expect(job?.last_error).toMatch(/ECONNREFUSED|connect/i);
      // The token of a message that will never be sent does not stay in the database.
      expect(JSON.stringify(job?.payload)).not.toContain(TOKEN);
      expect(cap.text()).not.toContain(TOKEN);
      // Retried by an administrator, it fails with a clear reason instead of sending a broken link.
      expect(await retryDead(db, id)).toBe(true);
      await w.drain();
      const again = await getJob(db, id);
      expect(again?.state).toBe("dead");
      expect(again?.last_error).toMatch(/incomplete \(its link is gone\)/);
    } finally {
      close();
    }
  });
});

describe("mail settings", () => {
  it("reads SMTP_URL and MICELIO_MAIL_FROM, and refuses a URL that is not SMTP without echoing it", () => {
    const c = loadConfig({
      SMTP_URL: "smtps://user:s3cret@mail.example.test:465",
      MICELIO_MAIL_FROM: "X <x@y.test>",
    });
    expect(c.smtpUrl).toBe("smtps://user:s3cret@mail.example.test:465");
    expect(c.mailFrom).toBe("X <x@y.test>");
    expect(loadConfig({}).smtpUrl).toBeUndefined();
    expect(() => loadConfig({ SMTP_URL: "http://user:s3cret@mail.example.test" })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ SMTP_URL: "http://user:s3cret@mail.example.test" })).not.toThrow(/s3cret/);
  });

  it("defaults the From address to noreply at the public host", () => {
    expect(defaultFrom("https://code.example.org/")).toBe("Micelio <noreply@code.example.org>");
    expect(defaultFrom("http://[::1]:4000")).toBe("Micelio <noreply@::1>");
    expect(defaultFrom("not a url")).toBe("Micelio <noreply@localhost>");
  });
});
