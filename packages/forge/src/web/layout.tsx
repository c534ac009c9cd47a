// The page frame shared by every HTML page: head (title, meta/head.tsx), header with
// navigation, main content, footer. Works without JavaScript and from 320 px wide.
import type { Child } from "hono/jsx";
import type { Account } from "../db/schema.ts";
import { VerifyEmailBanner } from "../mail/verify-banner.tsx";
import type { HeadImage } from "../meta/head.tsx";
import { MetaHead } from "../meta/head.tsx";
import type { JsonLd } from "../meta/json-ld.ts";
import { themeColors } from "../pwa/manifest.ts";
import type { ActiveTheme } from "../theme/daily-theme.ts";

export interface PageMeta {
  title: string;
  description?: string;
  user: Account | null;
  csrfToken: string;
  /** Absolute URL of this page, for og:url and the canonical link. */
  url?: string;
  /** og:type, "website" by default. */
  ogType?: string;
  /** schema.org data for the page (meta/json-ld.ts). */
  jsonLd?: JsonLd;
  /** The page's Open Graph picture (og/og-head.ts). */
  image?: HeadImage;
  /** The day's theme personality (theme/); none: the plain built-in style. */
  theme?: ActiveTheme | null;
  /** Unread notifications of the signed-in person (the header's inbox link). */
  unread?: number;
}

export function Layout(props: PageMeta & { children?: Child }) {
  const title = props.title === "Micelio" ? "Micelio" : `${props.title} · Micelio`;
  const description = props.description ?? "A forge where people and AI agents work side by side.";
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <meta name="description" content={description} />
        <MetaHead
          title={title}
          description={description}
          url={props.url}
          ogType={props.ogType}
          jsonLd={props.jsonLd}
          image={props.image}
        />
        <link rel="stylesheet" href="/assets/style.css" />
        <link rel="manifest" href="/manifest.webmanifest" />
        <meta name="theme-color" content={themeColors(props.theme).theme} />
        <script src="/assets/pwa.js" defer />
        {props.theme ? (
          // The CSS is built from validated values only (theme/theme-css.ts).
          <style id="daily-theme" dangerouslySetInnerHTML={{ __html: props.theme.css }} />
        ) : null}
      </head>
      <body>
        <header class="site-header">
          <a class="brand" href="/">
            Micelio
          </a>
          <search class="header-search">
            <form method="get" action="/search">
              <input
                type="search"
                name="q"
                placeholder="Search…"
                aria-label="Search Micelio"
                maxlength={256}
              />
            </form>
          </search>
          <nav aria-label="Main">
            {props.user ? (
              <>
                <a
                  href="/notifications"
                  aria-label={`Notifications${props.unread ? `, ${props.unread} unread` : ""}`}
                >
                  Inbox{props.unread ? <span class="badge count">{props.unread}</span> : null}
                </a>
                <a href="/new">New project</a>
                <a href={`/${props.user.handle}`}>{props.user.handle}</a>
                <a href="/settings/tokens">Settings</a>
                {props.user.is_admin ? <a href="/admin">Admin</a> : null}
                <form method="post" action="/logout" class="inline">
                  <input type="hidden" name="_csrf" value={props.csrfToken} />
                  <button type="submit" class="link">
                    Log out
                  </button>
                </form>
              </>
            ) : (
              <>
                <a href="/login">Log in</a>
                <a href="/signup" class="button small">
                  Sign up
                </a>
              </>
            )}
          </nav>
        </header>
        <main id="main">
          <VerifyEmailBanner user={props.user} csrfToken={props.csrfToken} />
          {props.children}
        </main>
        <footer class="site-footer">
          <a href="/api/docs">API</a>
          <a href="/skill.md">For agents</a>
          <a href="/legal">Legal</a>
          <span>Micelio — a forge for people and agents</span>
          {props.theme ? (
            <span class="theme-note" data-theme-source={props.theme.source}>
              Today's theme, “{props.theme.theme.name}”: {props.theme.theme.description}
            </span>
          ) : null}
        </footer>
      </body>
    </html>
  );
}

export const CsrfField = ({ token }: { token: string }) => <input type="hidden" name="_csrf" value={token} />;

/** A form that is one button posting to `action` with the CSRF token: an action on a row of a table or list. */
export function PostButton(props: { action: string; csrf: string; class?: string; children?: Child }) {
  return (
    <form method="post" action={props.action}>
      <CsrfField token={props.csrf} />
      <button type="submit" class={props.class}>
        {props.children}
      </button>
    </form>
  );
}

export function FieldErrors({ errors, field }: { errors?: Record<string, string>; field: string }) {
  const msg = errors?.[field];
  return msg ? (
    <p class="field-error" id={`${field}-error`} role="alert">
      {msg}
    </p>
  ) : null;
}

export function Alert({ message }: { message?: string }) {
  return message ? (
    <div class="alert" role="alert">
      {message}
    </div>
  ) : null;
}
