// The day's theme, for pages: current() answers at once from memory (the stored or generated
// theme of the day, else the deterministic fallback) and, when the day's theme is not known
// yet, starts a background warm-up that reads it from the object store (themes/<day>.json) or
// asks the LLM, validates the answer and stores it. No page ever waits for it. A failed or
// rejected answer leaves the fallback in place and is tried again after RETRY_MS. The cron
// job (theme-jobs.ts) generates each new day's theme shortly after midnight UTC.

import type { LlmConfig } from "../llm/chat.ts";
import type { ObjectStore } from "../objects/object-store.ts";
import type { Logger } from "../ops/logger.ts";
import { fallbackTheme } from "./fallback.ts";
import { requestTheme, ThemeRejected, validateTheme } from "./llm.ts";
import { themeCss } from "./theme-css.ts";
import type { Theme } from "./theme-schema.ts";

export const RETRY_MS = 15 * 60_000;

export interface ActiveTheme {
  day: string;
  source: "llm" | "fallback";
  theme: Theme;
  css: string;
  /** Fallback only: when to try the store and the LLM again. */
  retryAt?: number;
}

export interface DailyThemeOptions {
  enabled: boolean;
  llm?: LlmConfig;
  objects: ObjectStore;
  log: Logger;
  now?: () => Date;
}

export const themeKey = (day: string) => `themes/${day}.json`;
export const dayOf = (d: Date) => d.toISOString().slice(0, 10);

export class DailyTheme {
  private readonly byDay = new Map<string, ActiveTheme>();
  private readonly inFlight = new Map<string, Promise<ActiveTheme>>();
  private readonly abort = new AbortController();
  private readonly now: () => Date;

  constructor(private readonly opts: DailyThemeOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  get enabled() {
    return this.opts.enabled;
  }

  /** Today's theme for a page, without waiting; null when daily themes are off. */
  current(): ActiveTheme | null {
    if (!this.opts.enabled) return null;
    const day = dayOf(this.now());
    const known = this.byDay.get(day);
    if (known && (known.source === "llm" || (known.retryAt ?? 0) > Date.now())) return known;
    this.warm(day);
    return this.byDay.get(day) ?? this.remember(this.fallback(day));
  }

  /** Starts loading or generating the day's theme in the background (once at a time). */
  warm(day = dayOf(this.now())): void {
    this.refresh(day).catch(() => {});
  }

  /**
   * Loads the day's theme from the object store or, failing that (or with `force`), from the
   * LLM; remembers and returns what pages will use. Never rejects for a bad LLM answer.
   */
  refresh(day = dayOf(this.now()), opts: { force?: boolean } = {}): Promise<ActiveTheme> {
    const running = this.inFlight.get(day);
    if (running) return running;
    const p = this.load(day, opts.force ?? false).finally(() => this.inFlight.delete(day));
    this.inFlight.set(day, p);
    return p;
  }

  /** Settles once no warm-up is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Cancels any LLM request in flight. */
  close(): void {
    this.abort.abort();
  }

  private async load(day: string, force: boolean): Promise<ActiveTheme> {
    const log = this.opts.log;
    if (!force) {
      try {
        const stored = await this.opts.objects.get(themeKey(day));
        if (stored)
          return this.remember(this.active(day, "llm", validateTheme(JSON.parse(stored.toString("utf8")))));
      } catch (err) {
        log.warn({ day, err: (err as Error).message }, "stored daily theme unusable");
      }
    }
    const llm = this.opts.llm;
    if (!llm) return this.remember(this.fallback(day));
    try {
      const theme = await requestTheme(llm, day, this.abort.signal);
      await this.opts.objects.put(themeKey(day), `${JSON.stringify(theme, null, 2)}\n`);
      log.info({ day, name: theme.name }, "daily theme generated");
      return this.remember(this.active(day, "llm", theme));
    } catch (err) {
      // Only the reason: never the request (its headers hold the API key).
      const reason = (err as Error).message;
      if (err instanceof ThemeRejected)
        log.warn({ day, reason }, "daily theme answer rejected; using the fallback");
      else log.warn({ day, reason }, "daily theme request failed; using the fallback");
      const known = this.byDay.get(day);
      return known?.source === "llm" ? known : this.remember(this.fallback(day));
    }
  }

  private active(day: string, source: ActiveTheme["source"], theme: Theme): ActiveTheme {
    return { day, source, theme, css: themeCss(theme) };
  }

  private fallback(day: string): ActiveTheme {
    return { ...this.active(day, "fallback", fallbackTheme(day)), retryAt: Date.now() + RETRY_MS };
  }

  private remember(t: ActiveTheme): ActiveTheme {
    this.byDay.set(t.day, t);
    // Keep today and yesterday (requests straddling midnight); drop older days.
    for (const day of this.byDay.keys())
      if (day < dayOf(new Date(this.now().getTime() - 86_400_000))) this.byDay.delete(day);
    return t;
  }
}
