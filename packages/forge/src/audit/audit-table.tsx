// The audit log as a table, shared by the project and administration pages.
import type { listAudit } from "./audit.ts";

export function AuditTable({ entries }: { entries: Awaited<ReturnType<typeof listAudit>> }) {
  if (entries.length === 0) return <div class="empty">Nothing recorded yet.</div>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>What</th>
            <th>Target</th>
            <th>IP</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr>
              <td>
                <time datetime={e.created_at}>{e.created_at.replace("T", " ").slice(0, 19)}</time>
              </td>
              <td>{e.actor ?? "—"}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.target}</td>
              <td>{e.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
