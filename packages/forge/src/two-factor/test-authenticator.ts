// Test support for two-factor sign-in: an authenticator app that computes codes from the
// key shown on the enrolment page (never reusing a time step), and readers for that page.
import { base32Decode, hotp, STEP_SECONDS, timeStep } from "./totp.ts";

/** The base32 key shown on the enrolment page, without its grouping spaces. */
export const secretOf = (html: string) =>
  /id="totp-secret">([A-Z2-7 ]+)</.exec(html)?.[1]?.replace(/ /g, "") ?? "";
/** The recovery codes shown (once) after enrolment. */
export const recoveryCodesOf = (html: string) =>
  [...html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An authenticator app: hands out codes for steps never used before, within the ±1 window. */
export class Authenticator {
  private last = Number.NEGATIVE_INFINITY;
  constructor(readonly secret: string) {}
  codeFor(step: number) {
    return hotp(base32Decode(this.secret)!, step);
  }
  /** A fresh code (a later step than any handed out); waits for the clock if the window is spent. */
  async next(): Promise<string> {
    for (;;) {
      const t = Date.now();
      const now = timeStep(t);
      // The step before is accepted only until this one ends: not when it ends in under 10 s
      // (a loaded machine may take that long to send the code; it then arrives two steps late).
      const left = STEP_SECONDS * 1000 - (t % (STEP_SECONDS * 1000));
      const step = Math.max(this.last + 1, left < 10_000 ? now : now - 1);
      if (step <= now + 1) {
        this.last = step;
        return this.codeFor(step);
      }
      await sleep(1000);
    }
  }
  lastCode() {
    return this.codeFor(this.last);
  }
}
