// Test support (not used by the application): a real SMTP server on a random local port
// that parses every message it accepts, optionally refusing the first few with a temporary
// failure; and helpers to find the link a received message carries.
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { waitFor } from "../jobs/test-support.ts";
import { api } from "../testing/client.ts";
import type { TestForge } from "../testing/forge.ts";

export interface SmtpSink {
  url: string;
  received: ParsedMail[];
  /** Messages refused so far (see refuseFirst). */
  refused: number;
  /** The first received message to this address (and matching subject) not yet taken. */
  next(to: string, subject?: RegExp): Promise<ParsedMail>;
  close(): Promise<void>;
}

export async function startSmtpSink(opts: { refuseFirst?: number } = {}): Promise<SmtpSink> {
  const received: ParsedMail[] = [];
  const taken = new Set<ParsedMail>();
  const sink = { refused: 0 } as SmtpSink;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      if (sink.refused < (opts.refuseFirst ?? 0)) {
        sink.refused++;
        stream.resume();
        stream.on("end", () => {
          const err = new Error("Try again later") as Error & { responseCode: number };
          err.responseCode = 451;
          callback(err);
        });
        return;
      }
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          callback();
        },
        (err) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return Object.assign(sink, {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async next(to: string, subject?: RegExp) {
      const mail = await waitFor(
        () =>
          received.find(
            (m) =>
              !taken.has(m) &&
              addresses(m).includes(to.toLowerCase()) &&
              (!subject || subject.test(m.subject ?? "")),
          ),
        { what: `mail to ${to}${subject ? ` matching ${subject}` : ""}` },
      );
      taken.add(mail);
      return mail;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

export function addresses(mail: ParsedMail): string[] {
  const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return to.flatMap((t) => t.value.map((v) => (v.address ?? "").toLowerCase()));
}

/** The first link to `path` in the message's text body, as a path with its query. */
export function linkIn(mail: Pick<ParsedMail, "text">, path: string): string {
  const m = new RegExp(`https?://[^\\s/]+(${path.replace(/[/]/g, "\\/")}\\?token=[A-Za-z0-9_%-]+)`).exec(
    mail.text ?? "",
  );
  if (!m) throw new Error(`no ${path} link in: ${mail.text}`);
  return m[1];
}

/** A local port with nothing listening on it (connections are refused). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", () => resolve()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/**
 * Marks a user signed up verification-first as one from before that existed (it may sign in
 * with its password while its address is unverified), for tests of what such accounts do.
 */
export async function settle(forge: TestForge, handle: string): Promise<void> {
  await forge.forge.db
    .updateTable("accounts")
    .set({ signup_pending: false })
    .where("handle", "=", handle)
    .execute();
}

/** userWithToken on a forge with mail: signed up, settled (see settle), with a token. */
export async function settledUserWithToken(
  forge: TestForge,
  handle: string,
  scopes = ["project:read", "project:write", "session:write", "org:admin", "user"],
) {
  const password = `pw-${handle}-secret`;
  const signup = await api(forge.url, "POST", "/api/v1/signup", {
    json: { handle, email: `${handle}@example.test`, password },
  });
  if (signup.status !== 202 && signup.status !== 201) throw new Error(`signup ${handle}: ${signup.status}`);
  await settle(forge, handle);
  const tok = await api(forge.url, "POST", "/api/v1/tokens", {
    basic: [handle, password],
    json: { name: "test", scopes },
  });
  if (tok.status !== 201) throw new Error(`token ${handle}: ${tok.status} ${JSON.stringify(tok.body)}`);
  const user = await api(forge.url, "GET", "/api/v1/user", { token: tok.body.token });
  return { handle, password, token: tok.body.token as string, user: user.body };
}
