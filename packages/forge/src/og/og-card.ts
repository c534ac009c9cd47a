// The Open Graph card: what a picture shows (OgCard, plain data whose hash names the
// picture) and its layout as a satori element tree, 1200×630: the Micelio mark and name,
// a small context line, the title, the description, the avatar or identicon, and a row of
// facts. Every text is clipped here (og-text.ts), so the renderer's work stays bounded.
import { OG_FONT_FAMILY } from "./og-fonts.ts";
import { clip, clipPath } from "./og-text.ts";

export const OG_WIDTH = 1200;
export const OG_HEIGHT = 630;

export type OgKind = "project" | "user" | "org" | "session" | "landing" | "commit";

/** A changed file on a card of a change: its path and lines added and removed (null: binary). */
export interface OgFile {
  path: string;
  added: number | null;
  removed: number | null;
}

export interface OgCard {
  kind: OgKind;
  /** The line above the title: "acme/app · session", "organization". */
  context: string;
  title: string;
  description: string;
  /** A few short facts: "12 stars", "TypeScript", "+40 −3". */
  facts: string[];
  /** The files a change touched most (cards of sessions, landings and commits). */
  files?: OgFile[];
  /** A status word shown as a pill ("landed", "private"), if any. */
  badge?: string;
  /** Whose picture: the account's handle (for its identicon) and its avatar's hash, if uploaded. */
  avatar: { accountId: string; handle: string; hash: string | null };
}

/** The title when nothing of the real one can be drawn (say, all emoji or Chinese). */
const UNTITLED: Record<OgKind, string> = {
  project: "Project",
  user: "User",
  org: "Organization",
  session: "Session",
  landing: "Landing",
  commit: "Commit",
};

/** The card with every text clipped to what the layout shows. */
export function clipCard(card: OgCard): OgCard {
  return {
    ...card,
    context: clip(card.context, 90),
    title: clip(card.title, 110) || UNTITLED[card.kind],
    description: clip(card.description, 220),
    facts: card.facts.slice(0, 5).map((f) => clip(f, 40)),
    badge: card.badge === undefined ? undefined : clip(card.badge, 24),
    files: card.files?.length
      ? card.files.slice(0, 3).map((f) => ({ ...f, path: clipPath(f.path, 56) || "?" }))
      : undefined,
  };
}

/** A satori node: the shape of a React element, without React. */
export interface Node {
  type: string;
  props: {
    style?: Record<string, unknown>;
    children?: Node | string | (Node | string)[];
    [k: string]: unknown;
  };
}

const h = (type: string, style: Record<string, unknown>, ...children: (Node | string)[]): Node => ({
  type,
  props: { style, children },
});

const GREEN = "#2f6f4e";
const RED = "#a3312a";
const INK = "#1d2021";
const MUTED = "#5f6368";

/** The element tree of a clipped card; `avatarSrc` is a data: URL of the avatar or identicon. */
export function cardTree(card: OgCard, avatarSrc: string): Node {
  const files = card.files ?? [];
  const big = files.length === 0;
  const titleSize = card.title.length > 60 || !big ? 52 : card.title.length > 32 ? 60 : 72;
  return h(
    "div",
    {
      display: "flex",
      flexDirection: "column",
      width: OG_WIDTH,
      height: OG_HEIGHT,
      boxSizing: "border-box",
      background: "#fbfaf7",
      fontFamily: OG_FONT_FAMILY,
      color: INK,
      borderTop: `16px solid ${GREEN}`,
      paddingTop: 44,
      paddingLeft: 64,
      paddingRight: 64,
      paddingBottom: 52,
    },
    h(
      "div",
      { display: "flex", alignItems: "center", fontSize: 30, fontWeight: 700, color: GREEN },
      h(
        "div",
        {
          display: "flex",
          alignItems: "center",
          justifyContent: "center",
          width: 40,
          height: 40,
          borderRadius: 20,
          background: GREEN,
          marginRight: 14,
        },
        h("div", { width: 12, height: 12, borderRadius: 6, background: "#fff" }),
      ),
      "Micelio",
      ...(card.badge
        ? [
            h(
              "div",
              {
                marginLeft: "auto",
                fontSize: 24,
                fontWeight: 700,
                color: GREEN,
                border: `2px solid ${GREEN}`,
                borderRadius: 24,
                padding: "4px 18px",
              },
              card.badge,
            ),
          ]
        : []),
    ),
    h(
      "div",
      { display: "flex", flexGrow: 1, marginTop: 40 },
      h(
        "div",
        {
          display: "flex",
          flexDirection: "column",
          flexGrow: 1,
          flexShrink: 1,
          width: 820,
          marginRight: 40,
          overflow: "hidden",
        },
        h("div", { fontSize: 28, color: MUTED, lineClamp: 1, display: "block" }, card.context),
        h(
          "div",
          {
            fontSize: titleSize,
            fontWeight: 700,
            lineHeight: 1.12,
            marginTop: 10,
            display: "block",
            lineClamp: 2,
            wordBreak: "break-word",
          },
          card.title,
        ),
        h(
          "div",
          {
            fontSize: big ? 30 : 28,
            lineHeight: 1.4,
            color: MUTED,
            marginTop: 22,
            display: "block",
            lineClamp: big ? 3 : 2,
            wordBreak: "break-word",
          },
          card.description,
        ),
        ...(big ? [] : [fileList(files)]),
      ),
      {
        type: "img",
        props: {
          src: avatarSrc,
          width: 200,
          height: 200,
          style: { borderRadius: 24, border: "1px solid #dcd8cf" },
        },
      },
    ),
    h(
      "div",
      { display: "flex", flexWrap: "nowrap", overflow: "hidden", fontSize: 28, color: INK },
      ...card.facts.map((f, i) =>
        h(
          "div",
          {
            display: "flex",
            marginRight: 20,
            padding: "8px 20px",
            borderRadius: 10,
            background: i === 0 ? "#e6efe9" : "#efede7",
            whiteSpace: "nowrap",
          },
          f,
        ),
      ),
    ),
  );
}

const count = (n: number | null, sign: string) => (n === null ? "" : `${sign}${n}`);

/** The changed files, one per row: the path, then the lines added (green) and removed (red). */
function fileList(files: OgFile[]): Node {
  return h(
    "div",
    { display: "flex", flexDirection: "column", marginTop: 16, fontSize: 22 },
    ...files.map((f) =>
      h(
        "div",
        { display: "flex", alignItems: "center", height: 32, marginTop: 2 },
        h("div", { display: "flex", flexShrink: 1, overflow: "hidden", whiteSpace: "nowrap" }, f.path),
        h(
          "div",
          { display: "flex", marginLeft: 14, color: GREEN, fontWeight: 700 },
          f.added === null ? "binary" : count(f.added, "+"),
        ),
        h(
          "div",
          { display: "flex", marginLeft: 10, color: RED, fontWeight: 700 },
          count(f.removed, "\u2212"),
        ),
      ),
    ),
  );
}
