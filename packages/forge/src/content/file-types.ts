// The content type repository bytes are served with, from the file's name and whether its
// bytes are binary: nothing a repository holds is ever an active document. Raster images and
// media keep their type and show inline; text (HTML, XML and SVG included) is UTF-8 plain
// text; SVG is an image only as an attachment (an <img> shows it, a navigation downloads it);
// anything else is an octet-stream attachment. Used by the raw route (browse/raw-file.ts) and
// by objects served under a file name (named-objects-api.ts).

export const INLINE_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  bmp: "image/bmp",
  ico: "image/x-icon",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  mp4: "video/mp4",
  webm: "video/webm",
};

/** For user content on any origin: no script, no plugins, no loads, a unique origin. */
export const USER_CONTENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

export interface FileType {
  contentType: string;
  attachment: boolean;
}

export const extensionOf = (name: string) => /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? "";

/** The type of a file served by name alone (no request header changes it, so a CDN may keep it). */
export function fileType(name: string, binary: boolean): FileType {
  const ext = extensionOf(name);
  if (ext === "svg") return { contentType: "image/svg+xml", attachment: true };
  if (INLINE_TYPES[ext] && binary) return { contentType: INLINE_TYPES[ext], attachment: false };
  if (!binary) return { contentType: "text/plain; charset=utf-8", attachment: false };
  return { contentType: "application/octet-stream", attachment: true };
}

/** `Content-Disposition` naming the file, ASCII fallback and UTF-8 form (RFC 6266). */
export function disposition(name: string, attachment = true): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${attachment ? "attachment" : "inline"}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
