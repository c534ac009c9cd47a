// Security headers for what other sites embed: badges (in READMEs anywhere) and the icons.
// They must load cross-origin (Cross-Origin-Resource-Policy: cross-origin), and opened on
// their own they run nothing (a sandboxed, script-free CSP). A handler may set its own
// headers first, e.g. same-origin for a private project's badge; they are kept.
import { secureHeaders } from "hono/secure-headers";

const EMBEDDABLE = /^\/(favicon\.ico|favicon\.svg|apple-touch-icon\.png|[^/]+\/[^/]+\/badge\/[^/]+)$/;

export const isEmbeddable = (path: string) => EMBEDDABLE.test(path);

export const embedHeaders = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], styleSrc: ["'unsafe-inline'"], sandbox: [] },
  crossOriginEmbedderPolicy: false,
  crossOriginResourcePolicy: "cross-origin",
  overwrite: false,
});
