// The daily theme's background job: a cron slot a minute after midnight UTC enqueues
// "theme.generate", which loads or generates the new day's theme (daily-theme.ts) so that the
// first pages of the day already find it.
import type { JobHandler } from "../jobs/index.ts";
import type { DailyTheme } from "./daily-theme.ts";

export const THEME_JOB = "theme.generate";
export const THEME_CRON = { name: "daily-theme", pattern: "0 1 0 * * *", timezone: "UTC", kind: THEME_JOB };

export function themeJobHandlers(theme: DailyTheme): Record<string, JobHandler> {
  return {
    [THEME_JOB]: async () => {
      await theme.refresh();
    },
  };
}
