// The code table of a highlighted file: numbered lines with anchors (#L10). A string, not
// JSX, so that it can be cached whole by blob id (browse-service.ts codeView).

/** The table of numbered lines; `lines` are HTML already escaped by the highlighter. */
export function codeTableHtml(lines: string[]): string {
  const rows = lines.map(
    (html, i) =>
      `<tr id="L${i + 1}"><td class="ln"><a href="#L${i + 1}">${i + 1}</a></td><td class="lc">${html}</td></tr>`,
  );
  return `<div class="code-scroll"><table class="code hl"><tbody>${rows.join("")}</tbody></table></div>`;
}
