// The forge's transactional messages: each template turns its variables into a subject, a
// plain-text body and a simple HTML body (every variable escaped). Links are built from the
// configured public URL, never from a request's Host header.
import { z } from "zod";
import { escapeHtml } from "../render/escape.ts";

export const TEMPLATES = {
  verify_email: z.object({
    handle: z.string(),
    email: z.string(),
    token: z.string(),
    reason: z.enum(["signup", "change", "resend"]),
  }),
  email_changed: z.object({ handle: z.string(), oldEmail: z.string(), newEmail: z.string() }),
  password_reset: z.object({ handle: z.string(), token: z.string() }),
  password_changed: z.object({ handle: z.string() }),
  signup_attempt: z.object({ handle: z.string() }),
  error_alert: z.object({
    handle: z.string(),
    why: z.enum(["new", "regression", "spike"]),
    kind: z.string(),
    message: z.string(),
    count: z.number(),
    window: z.number(),
    id: z.string(),
  }),
  notification: z.object({
    handle: z.string(),
    title: z.string(),
    project: z.string(),
    url: z.string(),
    reason: z.string(),
    unsubscribe: z.string(),
  }),
  notification_digest: z.object({
    handle: z.string(),
    items: z.array(z.object({ title: z.string(), project: z.string(), url: z.string() })).max(200),
    unsubscribe: z.string(),
  }),
  webhook_disabled: z.object({
    handle: z.string(),
    url: z.string(),
    target: z.string(),
    reason: z.string(),
    settings: z.string(),
  }),
  /** trust/maintainer-alerts.ts: `path` is a page of the forge (e.g. the project's settings). */
  maintainer_alert: z.object({
    handle: z.string(),
    project: z.string(),
    subject: z.string(),
    text: z.string(),
    path: z.string(),
  }),
} as const;

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateVars<T extends TemplateName> = z.infer<(typeof TEMPLATES)[T]>;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** A message as paragraphs; a paragraph may hold one link, shown as a button in HTML. */
type Block = string | { link: string; label: string };

function compose(subject: string, blocks: Block[]): RenderedMail {
  const text = blocks.map((b) => (typeof b === "string" ? b : `${b.label}:\n${b.link}`)).join("\n\n");
  const html = [
    "<!doctype html>",
    '<html><body style="font-family: sans-serif; line-height: 1.5; max-width: 36em">',
    ...blocks.map((b) =>
      typeof b === "string"
        ? `<p>${escapeHtml(b)}</p>`
        : `<p><a href="${escapeHtml(b.link)}">${escapeHtml(b.label)}</a></p>` +
          `<p style="font-size: 0.9em; color: #555">${escapeHtml(b.link)}</p>`,
    ),
    '<p style="font-size: 0.9em; color: #555">— Micelio</p>',
    "</body></html>",
  ].join("\n");
  return { subject, text: `${text}\n\n— Micelio\n`, html };
}

export function renderMail<T extends TemplateName>(name: T, rawVars: unknown, baseUrl: string): RenderedMail {
  const base = baseUrl.replace(/\/+$/, "");
  switch (name) {
    case "verify_email": {
      const v = TEMPLATES.verify_email.parse(rawVars);
      const link = `${base}/verify-email?token=${encodeURIComponent(v.token)}`;
      return compose("Verify your email address", [
        `Hello @${v.handle},`,
        v.reason === "change"
          ? `You asked to use ${v.email} for your Micelio account. Confirm that this address is yours:`
          : `Confirm that ${v.email} is the email address of your Micelio account:`,
        { link, label: "Verify email address" },
        "The link works once and expires in 24 hours. If you did not ask for this, ignore this message.",
      ]);
    }
    case "email_changed": {
      const v = TEMPLATES.email_changed.parse(rawVars);
      return compose("Your email address was changed", [
        `Hello @${v.handle},`,
        `The email address of your Micelio account was changed from ${v.oldEmail} to ${v.newEmail}. Messages will go to the new address from now on.`,
        "If you did not make this change, sign in and change your password at once, or ask the administrator of the instance for help.",
        { link: `${base}/settings/email`, label: "Email settings" },
      ]);
    }
    case "password_reset": {
      const v = TEMPLATES.password_reset.parse(rawVars);
      const link = `${base}/reset-password?token=${encodeURIComponent(v.token)}`;
      return compose("Reset your password", [
        `Hello @${v.handle},`,
        "Someone asked to reset the password of your Micelio account. Choose a new password here:",
        { link, label: "Reset password" },
        "The link works once and expires in 1 hour. If you did not ask for this, ignore this message: your password stays as it is.",
      ]);
    }
    case "password_changed": {
      const v = TEMPLATES.password_changed.parse(rawVars);
      return compose("Your password was changed", [
        `Hello @${v.handle},`,
        "The password of your Micelio account was just reset, and every web session was signed out.",
        "If you did not do this, reset your password again at once and ask the administrator of the instance for help.",
        { link: `${base}/forgot-password`, label: "Reset password" },
      ]);
    }
    case "signup_attempt": {
      const v = TEMPLATES.signup_attempt.parse(rawVars);
      return compose("Someone tried to sign up with your email address", [
        `Hello @${v.handle},`,
        "Someone tried to create a Micelio account with this address, which already belongs to your account. No new account was created.",
        "If it was you, sign in, or reset your password if you forgot it:",
        { link: `${base}/login`, label: "Sign in" },
        { link: `${base}/forgot-password`, label: "Reset password" },
        "If it was not you, ignore this message: nothing changed on your account.",
      ]);
    }
    case "error_alert": {
      const v = TEMPLATES.error_alert.parse(rawVars);
      const what =
        v.why === "new"
          ? "A new error"
          : v.why === "regression"
            ? "An error you had resolved is back"
            : `An error is spiking (${v.window} in 10 minutes)`;
      return compose(`${what}: ${v.message.slice(0, 80)}`, [
        `Hello @${v.handle},`,
        `${what} on the forge (${v.kind}; ${v.count} time${v.count === 1 ? "" : "s"} in all):`,
        v.message,
        { link: `${base}/admin/errors/${v.id}`, label: "See the error" },
        "You get this because you administer this Micelio instance. Mute the error on its page to stop mails about it.",
      ]);
    }
    case "notification": {
      const v = TEMPLATES.notification.parse(rawVars);
      return compose(`[${v.project}] ${v.title}`, [
        `Hello @${v.handle},`,
        v.title,
        { link: `${base}${v.url}`, label: "Open it on Micelio" },
        `You get this because ${v.reason}. Change what you receive in your notification settings (${base}/settings/notifications), or stop these mails: ${base}${v.unsubscribe}`,
      ]);
    }
    case "notification_digest": {
      const v = TEMPLATES.notification_digest.parse(rawVars);
      return compose(
        `Your Micelio digest: ${v.items.length} notification${v.items.length === 1 ? "" : "s"}`,
        [
          `Hello @${v.handle},`,
          "What happened in the last day in the projects you follow:",
          ...v.items.map((i) => `[${i.project}] ${i.title} — ${base}${i.url}`),
          { link: `${base}/notifications`, label: "Open your notifications" },
          `Stop these mails: ${base}${v.unsubscribe}`,
        ],
      );
    }
    case "webhook_disabled": {
      const v = TEMPLATES.webhook_disabled.parse(rawVars);
      return compose(`A webhook of ${v.target} was disabled`, [
        `Hello @${v.handle},`,
        `The webhook you added to ${v.target}, sending to ${v.url}, was disabled: ${v.reason}.`,
        "Check that the receiver answers with a 2xx status, then turn the hook on again in the settings:",
        { link: `${base}${v.settings}`, label: "Webhook settings" },
      ]);
    }
    case "maintainer_alert": {
      const v = TEMPLATES.maintainer_alert.parse(rawVars);
      return compose(`[${v.project}] ${v.subject}`, [
        `Hello @${v.handle},`,
        ...v.text.split(/\n{2,}/),
        { link: `${base}${v.path}`, label: `Open ${v.project}` },
        `You receive this because you administer ${v.project} on Micelio.`,
      ]);
    }
    default:
      throw new Error(`unknown mail template ${JSON.stringify(name)}`);
  }
}
