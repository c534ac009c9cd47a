// The Slack format: an incoming-webhook message (`text`, with a link to the project).
import { describeEvent, type HookPayload } from "./hook-events.ts";

export const slackBody = (p: HookPayload) => ({
  text: `${describeEvent(p)} <${p.project.url}|${p.project.owner}/${p.project.name}>`,
});
