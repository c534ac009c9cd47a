// Recognises a project's licence from the text of its LICENSE or COPYING file: an SPDX id for
// the common licences (MIT, Apache-2.0, GPL-2.0/3.0, LGPL-2.1/3.0, AGPL-3.0, BSD-2/3-Clause,
// MPL-2.0, ISC), "unknown" for anything else. Matching is on the licences' fixed wording,
// ignoring case, whitespace and comment markers, so reflowed copies still match.

export type SpdxId =
  | "MIT"
  | "Apache-2.0"
  | "GPL-2.0"
  | "GPL-3.0"
  | "LGPL-2.1"
  | "LGPL-3.0"
  | "AGPL-3.0"
  | "BSD-2-Clause"
  | "BSD-3-Clause"
  | "MPL-2.0"
  | "ISC";

/** Lower case, no markup or comment characters, single spaces. */
export function normalizeLicenseText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019`]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[#*>=_|]+|^\s*\/\/|^\s*--/gm, " ")
    .replace(/\s+/g, " ")
    .trim();
}

const has = (t: string, ...parts: string[]) => parts.every((p) => t.includes(p));

/** The SPDX id of a licence text, or "unknown". */
export function detectLicense(text: string): SpdxId | "unknown" {
  const t = normalizeLicenseText(text);
  const head = t.slice(0, 400);
  if (has(head, "gnu affero general public license") && head.includes("version 3")) return "AGPL-3.0";
  if (has(head, "gnu lesser general public license") && head.includes("version 3")) return "LGPL-3.0";
  if (has(head, "gnu lesser general public license") && head.includes("version 2.1")) return "LGPL-2.1";
  if (/gnu (lesser|library) general public license/.test(head)) return "unknown";
  if (has(head, "gnu general public license") && head.includes("version 3")) return "GPL-3.0";
  if (has(head, "gnu general public license") && head.includes("version 2")) return "GPL-2.0";
  if (has(head, "apache license") && /version 2\.0/.test(head)) return "Apache-2.0";
  if (/mozilla public license,? version 2\.0/.test(head)) return "MPL-2.0";
  if (
    has(
      t,
      "permission is hereby granted, free of charge, to any person obtaining a copy",
      "the above copyright notice and this permission notice shall be included",
    )
  )
    return "MIT";
  if (
    /permission to use, copy, modify, and(\/or)? distribute this software for any purpose with or without fee is hereby granted/.test(
      t,
    )
  )
    return "ISC";
  if (
    has(t, "redistribution and use in source and binary forms, with or without modification, are permitted")
  ) {
    if (t.includes("all advertising materials mentioning")) return "unknown"; // 4-clause
    if (/neither the name of|the names? of (its|the) (contributors|copyright holders?)/.test(t))
      return "BSD-3-Clause";
    return "BSD-2-Clause";
  }
  return "unknown";
}

/** File names that hold a project's licence, best first; matched case-insensitively. */
const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt|markdown|rst))?$/i;

/** Picks the licence file from a root directory listing: LICENSE before LICENCE before COPYING. */
export function pickLicenseFile<T extends { name: string; type: string }>(entries: T[]): T | undefined {
  const candidates = entries.filter((e) => e.type === "blob" && LICENSE_FILE.test(e.name));
  const rank = (n: string) =>
    (/^license/i.test(n) ? 0 : /^licence/i.test(n) ? 1 : 2) * 10 + (n.includes(".") ? 1 : 0);
  return candidates.sort((a, b) => rank(a.name) - rank(b.name))[0];
}

/** The SPDX page of a licence, for JSON-LD. */
export const spdxUrl = (id: SpdxId) => `https://spdx.org/licenses/${id}.html`;
