// The Discord format: a webhook message (`content`, at most 2,000 characters).
import { describeEvent, type HookPayload, placeOf } from "./hook-events.ts";

export const discordBody = (p: HookPayload) => ({
  username: "Micelio",
  content: `${describeEvent(p)} ${placeOf(p).url}`.slice(0, 2000),
});
