// Inline SVG icons for the website and each social network (24×24, currentColor), and the
// row of profile links that shows them with a tooltip and an accessible label.
import { NETWORK_LABELS, NETWORKS, type ProfileLinks } from "./links.ts";

const PATHS: Record<string, string> = {
  x: "M18.901 1.153h3.68l-8.04 9.19L24 22.846h-7.406l-5.8-7.584-6.638 7.584H.474l8.6-9.83L0 1.154h7.594l5.243 6.932ZM17.61 20.644h2.039L6.486 3.24H4.298Z",
  github:
    "M12 .297c-6.63 0-12 5.373-12 12 0 5.303 3.438 9.8 8.205 11.385.6.113.82-.258.82-.577 0-.285-.01-1.04-.015-2.04-3.338.724-4.042-1.61-4.042-1.61C4.422 18.07 3.633 17.7 3.633 17.7c-1.087-.744.084-.729.084-.729 1.205.084 1.838 1.236 1.838 1.236 1.07 1.835 2.809 1.305 3.495.998.108-.776.417-1.305.76-1.605-2.665-.3-5.466-1.332-5.466-5.93 0-1.31.465-2.38 1.235-3.22-.135-.303-.54-1.523.105-3.176 0 0 1.005-.322 3.3 1.23.96-.267 1.98-.399 3-.405 1.02.006 2.04.138 3 .405 2.28-1.552 3.285-1.23 3.285-1.23.645 1.653.24 2.873.12 3.176.765.84 1.23 1.91 1.23 3.22 0 4.61-2.805 5.625-5.475 5.92.42.36.81 1.096.81 2.22 0 1.606-.015 2.896-.015 3.286 0 .315.21.69.825.57C20.565 22.092 24 17.592 24 12.297c0-6.627-5.373-12-12-12",
  gitlab:
    "M12 22.5 2.2 15.4a.8.8 0 0 1-.3-.9L4.6 6.3 6.9 1.5a.4.4 0 0 1 .8 0l2.2 6.8h4.2l2.2-6.8a.4.4 0 0 1 .8 0l2.3 4.8 2.7 8.2a.8.8 0 0 1-.3.9Z",
  mastodon:
    "M21.6 7.9c0-4.4-2.9-5.7-2.9-5.7C17.2 1.5 14.7 1.2 12 1.2h-.1c-2.7 0-5.2.3-6.7 1C5.2 2.2 2.3 3.5 2.3 7.9c0 1-.0 2.2 0 3.5.1 4.3.8 8.6 4.8 9.7 1.9.5 3.5.6 4.8.5 2.3-.1 3.6-.8 3.6-.8l-.1-1.7s-1.6.5-3.5.5c-1.8-.1-3.7-.2-4-2.4v-.6s1.8.4 4 .5c1.4.1 2.6-.1 3.9-.2 2.5-.3 4.7-1.8 4.9-3.3.4-2.3.3-5.7.3-5.7ZM18.2 13.5h-2.1V8.3c0-1.1-.5-1.6-1.4-1.6-1 0-1.5.6-1.5 1.9v2.8h-2.1V8.6c0-1.3-.5-1.9-1.5-1.9-.9 0-1.4.5-1.4 1.6v5.2H6.1V8.1c0-1.1.3-2 .8-2.6.6-.6 1.3-1 2.2-1 1.1 0 1.9.4 2.4 1.2l.5.9.5-.9c.5-.8 1.3-1.2 2.4-1.2.9 0 1.7.3 2.2 1 .6.6.8 1.5.8 2.6v5.4Z",
  bluesky:
    "M12 10.8C10.9 8.7 7.9 4.8 5.1 2.8 2.4.9 1.4 1.2.7 1.5 0 1.8 0 3 0 3.7s.4 5.8.6 6.6c.9 2.8 3.8 3.7 6.6 3.4-4 .6-7.5 2-2.9 7.2 5 5.2 6.9-1.1 7.7-4.3.8 3.2 2 9.3 7.7 4.3 4.3-4.3 1.2-6.5-2.8-7.1 2.7.3 5.7-.6 6.5-3.4.3-.8.6-5.9.6-6.6s-.1-1.9-.8-2.2c-.6-.3-1.7-.6-4.4 1.3-2.8 2-5.8 5.9-6.9 8Z",
  linkedin:
    "M20.447 20.452h-3.554v-5.569c0-1.328-.027-3.037-1.852-3.037-1.853 0-2.136 1.445-2.136 2.939v5.667H9.351V9h3.414v1.561h.046c.477-.9 1.637-1.85 3.37-1.85 3.601 0 4.267 2.37 4.267 5.455v6.286zM5.337 7.433a2.062 2.062 0 1 1 0-4.125 2.062 2.062 0 0 1 0 4.125zm1.782 13.019H3.555V9h3.564v11.452zM22.225 0H1.771C.792 0 0 .774 0 1.729v20.542C0 23.227.792 24 1.771 24h20.451C23.2 24 24 23.227 24 22.271V1.729C24 .774 23.2 0 22.222 0h.003z",
  website:
    "M12 0a12 12 0 1 0 0 24 12 12 0 0 0 0-24Zm7.9 7h-3.3a18 18 0 0 0-1.5-4.4A10 10 0 0 1 19.9 7ZM12 2.1c.9 1.3 1.6 3 2.1 4.9H9.9c.5-1.9 1.2-3.6 2.1-4.9ZM2.3 14a10 10 0 0 1 0-4h3.6a21 21 0 0 0 0 4H2.3Zm.8 3h3.3c.4 1.6.9 3.1 1.5 4.4A10 10 0 0 1 3.1 17Zm3.3-10H3.1a10 10 0 0 1 4.8-4.4C7.3 3.9 6.8 5.4 6.4 7ZM12 21.9c-.9-1.3-1.6-3-2.1-4.9h4.2c-.5 1.9-1.2 3.6-2.1 4.9Zm2.5-6.9H9.5a19 19 0 0 1 0-6h5a19 19 0 0 1 0 6Zm.6 6.4c.6-1.3 1.1-2.8 1.5-4.4h3.3a10 10 0 0 1-4.8 4.4Zm2-6.4a21 21 0 0 0 0-4h3.6a10 10 0 0 1 0 4h-3.6Z",
};

export function Icon({ name }: { name: string }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path fill="currentColor" d={PATHS[name] ?? PATHS.website} />
    </svg>
  );
}

const display = (url: string) => url.replace(/^https?:\/\//, "");

/** The website and social links as icons; each has a tooltip (title) and a label for screen readers. */
export function ProfileLinksRow({ website, links }: { website: string; links: ProfileLinks }) {
  const items: { key: string; label: string; url: string }[] = [];
  if (website) items.push({ key: "website", label: "Website", url: website });
  for (const n of NETWORKS) {
    const url = links[n];
    if (url) items.push({ key: n, label: NETWORK_LABELS[n], url });
  }
  if (items.length === 0) return null;
  return (
    <ul class="profile-links" aria-label="Links">
      {items.map((i) => (
        <li>
          <a
            href={i.url}
            rel="me nofollow noopener noreferrer"
            title={`${i.label}: ${display(i.url)}`}
            class={`profile-link profile-link-${i.key}`}
          >
            <Icon name={i.key} />
            <span class="visually-hidden">
              {i.label}: {display(i.url)}
            </span>
          </a>
        </li>
      ))}
    </ul>
  );
}
