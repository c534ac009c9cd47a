// "Agents" on a person's profile: the agents they run, each with its reputation from their
// sessions (in projects the viewer may read), linking to the agent's full record.
import type { accountAgents } from "./agent-stats.ts";

export function AgentsSection({ agents }: { agents: Awaited<ReturnType<typeof accountAgents>> }) {
  if (agents.length === 0) return null;
  return (
    <section aria-labelledby="agents-title">
      <h2 id="agents-title">Agents</h2>
      <ul class="list">
        {agents.map((a) => (
          <li>
            <a href={`/agents/${encodeURIComponent(a.agent)}`}>{a.agent}</a> · reputation{" "}
            <strong class="volatile">{Math.round(a.reputation)}</strong> · {a.sessions} session
            {a.sessions === 1 ? "" : "s"}, {a.landed} landed
          </li>
        ))}
      </ul>
    </section>
  );
}
