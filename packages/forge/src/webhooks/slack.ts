// The Slack format: an incoming-webhook message (`text`, with a link to the project).
import { describeEvent, type HookPayload, placeOf } from "./hook-events.ts";

export const slackBody = (p: HookPayload) => ({
  text: `${describeEvent(p)} <${placeOf(p).url}|${placeOf(p).name}>`,
});
