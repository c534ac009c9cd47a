// Mail goes out through the job queue: enqueueMail adds a mail.send job in the caller's
// transaction (so a message exists exactly when the change that calls for it commits); the
// worker renders the template and delivers it, retried with backoff until it goes dead. A
// link's token sits in the job only until the last attempt, then it is scrubbed.
import { sql } from "kysely";
import type { Db } from "../db/db.ts";
import { enqueue, type JobContext, type JobHandler } from "../jobs/index.ts";
import type { Mailer } from "./mailer.ts";
import { renderMail, TEMPLATES, type TemplateName, type TemplateVars } from "./templates.ts";

export const MAIL_SEND_JOB = "mail.send";
/** With the worker's backoff (2 s doubling) ten attempts span about 17 minutes of outage. */
export const MAIL_MAX_ATTEMPTS = 10;

export interface MailJobPayload<T extends TemplateName = TemplateName> {
  to: string;
  template: T;
  vars: TemplateVars<T>;
  headers?: Record<string, string>;
}

export function enqueueMail<T extends TemplateName>(
  db: Db,
  to: string,
  template: T,
  vars: TemplateVars<T>,
  headers?: Record<string, string>,
): Promise<number> {
  const payload: MailJobPayload<T> = { to, template, vars, ...(headers ? { headers } : {}) };
  return enqueue(db, MAIL_SEND_JOB, payload as unknown as Record<string, unknown>, {
    maxAttempts: MAIL_MAX_ATTEMPTS,
  });
}

/** Removes the single-use token from a job's stored payload once it is no longer needed. */
async function scrubToken(db: Db, jobId: number): Promise<void> {
  await sql`UPDATE jobs SET payload = payload #- '{vars,token}' WHERE id = ${jobId}`.execute(db);
}

export function mailSendHandler(db: Db, mailer: Mailer, baseUrl: () => string): JobHandler {
  return async (payload: MailJobPayload, ctx: JobContext) => {
    if (!(payload.template in TEMPLATES)) throw new Error(`unknown mail template ${payload.template}`);
    if (!TEMPLATES[payload.template].safeParse(payload.vars).success) {
      // A dead job retried by an administrator after its link was scrubbed ends here.
      throw new Error(`the ${payload.template} message is incomplete (its link is gone); ask for a new one`);
    }
    const hasToken = typeof (payload.vars as { token?: unknown }).token === "string";
    const base = baseUrl();
    if (!base) throw new Error("the forge's public URL is not known yet"); // retried once it listens
    const rendered = renderMail(payload.template, payload.vars, base);
    try {
      // Header values may name the forge's address as {{base}} (List-Unsubscribe links).
      const headers = payload.headers
        ? Object.fromEntries(
            Object.entries(payload.headers).map(([k, v]) => [k, v.replaceAll("{{base}}", base)]),
          )
        : undefined;
      await mailer.send({ to: payload.to, ...rendered, ...(headers ? { headers } : {}) });
    } catch (err) {
      if (hasToken && ctx.attempt >= ctx.job.max_attempts) await scrubToken(db, ctx.job.id);
      throw err;
    }
    if (hasToken) await scrubToken(db, ctx.job.id);
  };
}
