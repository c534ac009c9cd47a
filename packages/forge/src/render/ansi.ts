// Terminal output as the session page shows it: SGR colour and bold codes become segments with
// a colour class; every other escape or control sequence (cursor moves, OSC titles and links,
// bells, backspaces, DCS strings) is removed, so captured output can neither restyle nor
// script the page. Segments are text for JSX to escape; nothing here is HTML.

export interface AnsiSegment {
  text: string;
  fg: number | null; // 0-7 normal, 8-15 bright
  bold: boolean;
}

// ESC [ params final (CSI); ESC ] ... BEL or ESC \ (OSC); ESC P/X/^/_ ... ESC \ (DCS and
// kin); two-character escapes; C1 controls; other C0 controls but \n and \t.
/** Every escape and control sequence but newline and tab (also used by the live page script). */
export const ANSI_SEQUENCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /\u001b\[([0-?]*)[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u001b[ -~]?|[\u0080-\u009f]|[\u0000-\u0008\u000b-\u001f\u007f]/g;

function applySgr(params: string, state: { fg: number | null; bold: boolean }) {
  const codes = params === "" ? [0] : params.split(";").map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === 0) {
      state.fg = null;
      state.bold = false;
    } else if (c === 1) state.bold = true;
    else if (c === 22) state.bold = false;
    else if (c >= 30 && c <= 37) state.fg = c - 30;
    else if (c >= 90 && c <= 97) state.fg = c - 90 + 8;
    else if (c === 39) state.fg = null;
    else if (c === 38 || c === 48) i += codes[i + 1] === 5 ? 2 : codes[i + 1] === 2 ? 4 : 0; // 256/true colour: skipped
  }
}

export function ansiSegments(input: string): AnsiSegment[] {
  const out: AnsiSegment[] = [];
  const state = { fg: null as number | null, bold: false };
  const push = (text: string) => {
    if (!text) return;
    const last = out[out.length - 1];
    if (last && last.fg === state.fg && last.bold === state.bold) last.text += text;
    else out.push({ text, fg: state.fg, bold: state.bold });
  };
  let at = 0;
  for (const m of input.matchAll(ANSI_SEQUENCE)) {
    push(input.slice(at, m.index));
    at = m.index! + m[0].length;
    if (m[0].endsWith("m") && m[1] !== undefined && m[0].startsWith("\u001b[")) applySgr(m[1], state);
  }
  push(input.slice(at));
  return out;
}

/** The text without any escape or control sequence (what a plain reader sees). */
export const stripAnsi = (input: string) =>
  ansiSegments(input)
    .map((s) => s.text)
    .join("");
