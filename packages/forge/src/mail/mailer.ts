// Delivers one rendered message: over SMTP (nodemailer, SMTP_URL) when configured, otherwise
// into an .eml file under <data dir>/mail/ so a single-machine instance still works. Logs the
// recipient and subject only: bodies carry single-use links and are never logged.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Transporter } from "nodemailer";
import type { JobLogger } from "../jobs/index.ts";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers (List-Unsubscribe and the like). */
  headers?: Record<string, string>;
}

export interface Delivery {
  via: "smtp" | "file";
  messageId: string;
  /** The .eml file written, when there is no SMTP server. */
  file?: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<Delivery>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl?: string;
  dataDir: string;
  from: string;
  log: JobLogger;
  /** Give up on an unresponsive SMTP server after this long (ms, default 30 s). */
  timeoutMs?: number;
}

/** The From address when MICELIO_MAIL_FROM is not set: noreply at the public host name. */
export function defaultFrom(publicUrl: string): string {
  let host = "localhost";
  try {
    host = new URL(publicUrl).hostname || host;
  } catch {
    /* keep localhost */
  }
  return `Micelio <noreply@${host.replace(/^\[|\]$/g, "")}>`;
}

export function mailDir(dataDir: string): string {
  return join(dataDir, "mail");
}

export function createMailer(opts: MailerOptions): Mailer {
  const timeout = opts.timeoutMs ?? 30_000;
  // nodemailer loads with the first message: most processes send none.
  let transport: Promise<Transporter> | undefined;
  const open = () => {
    transport ??= import("nodemailer").then(({ default: nodemailer }) =>
      opts.smtpUrl
        ? nodemailer.createTransport(
            {
              url: opts.smtpUrl,
              connectionTimeout: timeout,
              greetingTimeout: timeout,
              socketTimeout: timeout,
            },
            { from: opts.from },
          )
        : nodemailer.createTransport(
            { streamTransport: true, buffer: true, newline: "crlf" },
            { from: opts.from },
          ),
    );
    return transport;
  };
  return {
    async send(mail) {
      const info = await (await open()).sendMail({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        ...(mail.headers ? { headers: mail.headers } : {}),
      });
      if (opts.smtpUrl) {
        opts.log.info({ to: mail.to, subject: mail.subject, via: "smtp" }, "mail sent");
        return { via: "smtp", messageId: info.messageId };
      }
      const dir = mailDir(opts.dataDir);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const file = join(dir, `${stamp}-${randomBytes(4).toString("hex")}.eml`);
      // The file holds single-use links: readable by the forge's user only.
      writeFileSync(file, (info as { message: Buffer }).message, { mode: 0o600 });
      opts.log.info({ to: mail.to, subject: mail.subject, via: "file", file }, "mail written to file");
      return { via: "file", messageId: info.messageId, file };
    },
    close() {
      transport?.then((t) => t.close()).catch(() => {});
    },
  };
}
