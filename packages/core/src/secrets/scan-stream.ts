// Scans a patch of any size for credentials as it streams, in bounded memory: bytes are cut
// into lines (a line longer than the size cap is kept only as far as its head, enough to read
// it as a diff line), each line is read by diff.ts's PatchReader, and each file's added lines
// are scanned when the file's section of the patch ends. A section whose added text passes the
// size cap (or is binary) is skipped, as scanDiff skips such a file, and its lines are dropped
// as soon as it passes the cap; so at most about one cap of text is held at a time.
// On a patch that names each file once (`git diff`), the findings are exactly scanDiff's;
// where a patch names a file again (`git log -p`: one section per commit), each section is
// scanned on its own (scanDiff merges them).
import { PatchReader } from "./diff.ts";
import type { ScanLine } from "./patterns.ts";
import { DEFAULT_MAX_BYTES, type Finding, type ScanOptions, scanLines, skipReason } from "./scan.ts";

const NL = 10;

interface Section {
  path: string;
  lines: ScanLine[];
  /** UTF-16 length of the added text joined by "\n". */
  chars: number;
  /** Over the size cap: skipped, lines dropped. */
  over: boolean;
}

export class DiffScanStream {
  private readonly findings: Finding[] = [];
  private readonly reader: PatchReader;
  private readonly maxBytes: number;
  /** The longest line kept whole (bytes); longer ones are cut to this. */
  private readonly maxLine: number;
  private section: Section | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The line being read was longer than maxLine (only its head was kept). */
  private cut = false;

  constructor(private readonly options: ScanOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxLine = this.maxBytes + 1024;
    this.reader = new PatchReader({
      file: (path) => {
        this.flush();
        this.section = { path, lines: [], chars: -1, over: false };
      },
      added: (line) => {
        const s = this.section!;
        if (s.over) return;
        s.chars += line.text.length + 1;
        // A line cut short is longer than the cap in UTF-8; so is text longer in UTF-16 units.
        if (this.cut || s.chars > this.maxBytes) {
          s.over = true;
          s.lines = [];
        } else s.lines.push(line);
      },
    });
  }

  /** Reads the next piece of the patch (cut anywhere, even inside a character). */
  write(chunk: Buffer) {
    let at = 0;
    while (at < chunk.length) {
      const nl = chunk.indexOf(NL, at);
      const end = nl < 0 ? chunk.length : nl;
      this.keep(chunk.subarray(at, end));
      if (nl < 0) break;
      this.line();
      at = nl + 1;
    }
  }

  /** The patch has ended: the findings, in the order of the patch. */
  end(): Finding[] {
    if (this.pendingBytes > 0 || this.cut) this.line();
    this.flush();
    return this.findings;
  }

  private keep(part: Buffer) {
    const room = this.maxLine - this.pendingBytes;
    if (part.length > room) this.cut = true;
    const kept = part.length > room ? part.subarray(0, Math.max(0, room)) : part;
    if (kept.length === 0) return;
    // Copied: the caller may reuse its buffer.
    this.pending.push(Buffer.from(kept));
    this.pendingBytes += kept.length;
  }

  private line() {
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.reader.read(bytes.toString("utf8"));
    this.pending = [];
    this.pendingBytes = 0;
    this.cut = false;
  }

  private flush() {
    const s = this.section;
    this.section = null;
    if (!s || s.over || s.lines.length === 0) return;
    const added = s.lines.map((l) => l.text).join("\n");
    if (skipReason(added, this.maxBytes) !== null) return;
    for (const f of scanLines(s.path, s.lines, this.options)) this.findings.push(f);
  }
}

/** Scans a patch given as pieces (a stream's chunks): see DiffScanStream. */
export async function scanDiffStream(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  options: ScanOptions = {},
): Promise<Finding[]> {
  const scan = new DiffScanStream(options);
  for await (const c of chunks) scan.write(c);
  return scan.end();
}
