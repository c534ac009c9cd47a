// Test helpers for the session pages and the event stream: open a session, record its
// conversation, upload file changes, land or abandon it — all through the JSON API of a
// running test forge, as mic would.
import { api } from "../testing/client.ts";

export interface SessionApi {
  open(goal: string, extra?: Record<string, unknown>): Promise<{ id: string; base_position: number }>;
  events(id: string, events: unknown[]): Promise<void>;
  change(id: string, files: Record<string, string | null>): Promise<void>;
  land(id: string): Promise<{ status: number; body: any }>;
  abandon(id: string): Promise<void>;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

export function sessionApi(url: string, token: string, owner: string, project: string): SessionApi {
  const base = `/api/v1/projects/${owner}/${project}/sessions`;
  const must = (r: { status: number; body: unknown }, status: number, what: string) => {
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  return {
    async open(goal, extra = {}) {
      const r = await api(url, "POST", base, { token, json: { goal, ...extra } });
      must(r, 201, `open ${goal}`);
      return r.body;
    },
    async events(id, events) {
      must(await api(url, "POST", `${base}/${id}/events`, { token, json: { events } }), 201, "events");
    },
    async change(id, files) {
      const changes = Object.entries(files).map(([path, content]) =>
        content === null ? { path, delete: true } : { path, content: b64(content) },
      );
      must(await api(url, "PUT", `${base}/${id}/changes`, { token, json: { changes } }), 200, "changes");
    },
    land: (id) => api(url, "POST", `${base}/${id}/land`, { token }),
    async abandon(id) {
      must(await api(url, "POST", `${base}/${id}/abandon`, { token }), 200, "abandon");
    },
  };
}
