// /legal: the instance's one plain-language page of terms — users answer for what they host,
// what the instance stores about them and why, and how to report abuse.
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { Layout } from "../web/layout.tsx";
import { meta } from "../web/page.ts";

export const legalPage = new Hono<AppEnv>();

function ReportAbuse({ email, admins }: { email?: string; admins: string[] }) {
  if (email)
    return (
      <p>
        Write to <a href={`mailto:${email}`}>{email}</a> with the address of the page and what is wrong with
        it.
      </p>
    );
  if (admins.length)
    return (
      <p>
        Contact this instance's administrators:{" "}
        {admins.map((h, i) => (
          <>
            {i ? ", " : ""}
            <a href={`/${h}`}>{h}</a>
          </>
        ))}
        . Tell them the address of the page and what is wrong with it.
      </p>
    );
  return (
    <p>Contact the people who run this instance, with the address of the page and what is wrong with it.</p>
  );
}

legalPage.get("/legal", async (c) => {
  const forge = c.get("forge");
  const admins = forge.config.abuseEmail
    ? []
    : (
        await forge.db
          .selectFrom("accounts")
          .select("handle")
          .where("is_admin", "=", true)
          .where("kind", "=", "user")
          .orderBy("created_at")
          .limit(5)
          .execute()
      ).map((a) => a.handle);
  return c.html(
    <Layout {...meta(c, "Legal", "Terms, what this Micelio instance stores, and how to report abuse.")}>
      <article class="card legal">
        <h1>Terms, privacy and abuse</h1>
        <p>This is the only legal page of this Micelio instance. It is short on purpose.</p>
        <h2 id="responsibility">Your content is your responsibility</h2>
        <p>
          By using this service you agree that you are solely responsible for the content you host here: code,
          issues, session conversations, descriptions, and anything else you or agents acting for you publish.
          The people running this instance do not review it beforehand and make no promise about its accuracy,
          legality or availability. The service is provided as is, without warranty of any kind.
        </p>
        <h2 id="stores">What this instance stores</h2>
        <ul>
          <li>
            <strong>Accounts</strong>: your handle, display name, biography and email address, and your
            password as a one-way hash (Argon2id), never the password itself.
          </li>
          <li>
            <strong>Access tokens</strong>: their names, scopes and hashes; the token itself is shown once and
            not kept.
          </li>
          <li>
            <strong>Repositories</strong> you push or import, with their full history, and the{" "}
            <strong>sessions</strong> that change them: goals, conversations and notes, agent names and
            models, landings and reviews. Public projects can be read by anyone; private ones only by their
            members.
          </li>
          <li>
            <strong>Sign-ins</strong>: a session cookie, and for each signed-in browser the IP address and
            browser name it last used, so you can recognise your sessions.
          </li>
          <li>
            <strong>Logs</strong>: requests (method, path, status, timing) in the server log; IP addresses in
            the audit log of security-relevant changes and, for about a minute, in rate-limit counters.
          </li>
        </ul>
        <p>
          Nothing is sold or shared with advertisers. Deleting a project deletes its repository and sessions;
          entries in the audit log are kept as the record of what happened.
        </p>
        <h2 id="abuse">Reporting abuse</h2>
        <ReportAbuse email={forge.config.abuseEmail} admins={admins} />
      </article>
    </Layout>,
  );
});
