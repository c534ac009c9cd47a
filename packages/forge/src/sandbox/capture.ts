// Keeps the first `cap` bytes of a stream, counts the rest, and passes kept chunks to a sink
// as they arrive, so a step that prints gigabytes costs the forge no more than the cap.
import type { CapturedOutput } from "./types.ts";

export class CappedCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  constructor(
    private readonly cap: number,
    private readonly sink?: (chunk: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.cap - this.kept;
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
    try {
      this.sink?.(part);
    } catch {
      // A failing sink must not end the run; the captured text is still returned.
    }
  }

  /** Counts bytes that were written but never read (the cap was already reached). */
  skip(bytes: number): void {
    this.total += bytes;
  }

  /** Bytes still kept before the cap is reached. */
  get room(): number {
    return Math.max(0, this.cap - this.kept);
  }

  result(): CapturedOutput {
    return {
      text: Buffer.concat(this.chunks).toString("utf8"),
      bytes: this.total,
      truncated: this.total > this.kept,
    };
  }
}
