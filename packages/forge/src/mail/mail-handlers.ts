// The mail job handlers the server registers with its worker: sending (mail.send) and the
// lookup behind a password-reset request. The mailer is made on first use, once the public
// URL (used for links and the default From address) is known.
import type { Config } from "../config/config.ts";
import type { Db } from "../db/db.ts";
import type { JobHandler, JobLogger } from "../jobs/index.ts";
import { MAIL_SEND_JOB, mailSendHandler } from "./mail-jobs.ts";
import { createMailer, defaultFrom, type Mailer } from "./mailer.ts";
import { RESET_REQUEST_JOB, resetRequestHandler } from "./reset-service.ts";

export interface MailJobs {
  handlers: Record<string, JobHandler>;
  /** Closes the SMTP connection, if one was opened. */
  close(): void;
}

export function mailJobHandlers(opts: {
  db: Db;
  config: Pick<Config, "smtpUrl" | "mailFrom" | "dataDir">;
  log: JobLogger;
  /** The forge's public URL, known once it listens. */
  baseUrl: () => string;
}): MailJobs {
  let mailer: Mailer | undefined;
  const lazy: Mailer = {
    send(mail) {
      mailer ??= createMailer({
        smtpUrl: opts.config.smtpUrl,
        dataDir: opts.config.dataDir,
        from: opts.config.mailFrom ?? defaultFrom(opts.baseUrl()),
        log: opts.log,
      });
      return mailer.send(mail);
    },
    close() {
      mailer?.close();
    },
  };
  return {
    handlers: {
      [MAIL_SEND_JOB]: mailSendHandler(opts.db, lazy, opts.baseUrl),
      [RESET_REQUEST_JOB]: resetRequestHandler(opts.db),
    },
    close: () => lazy.close(),
  };
}
