// The guides on the instance: the list, a guide rendered with its headings' anchors (the link
// the agent policy page gives), links between guides kept on /docs, an ADR, and 404s for names
// that are not guides (traversal included).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";

let f: TestForge;
beforeAll(async () => {
  f = await startTestForge();
});
afterAll(() => f.close());

const get = async (path: string) => {
  const res = await fetch(f.url + path, { headers: { accept: "text/html" }, redirect: "manual" });
  return { status: res.status, html: await res.text() };
};

describe("guides", () => {
  it("lists the guides and renders one with anchors for its headings", async () => {
    const index = await get("/docs");
    expect(index.status).toBe(200);
    expect(index.html).toContain('href="/docs/trust"');
    expect(index.html).toContain('href="/docs/webhooks"');
    const trust = await get("/docs/trust");
    expect(trust.status).toBe(200);
    expect(trust.html).toContain("<title>Agents&#39; record and reputation · Micelio</title>");
    expect(trust.html).toMatch(/<h2[^>]*id="agent-policy"/);
    expect((await get("/docs/trust.md")).html).toMatch(/<h2[^>]*id="agent-policy"/);
    expect(trust.html).toContain('href="/docs/adr/0025-contribution-attestation.md"');
    const adr = await get("/docs/adr/0025-contribution-attestation.md");
    expect(adr.status).toBe(200);
    expect(adr.html).toContain("Architecture decisions");
  });
  it("answers 404 for anything else", async () => {
    for (const path of ["/docs/nope", "/docs/..%2F..%2Fpackage.json", "/docs/adr/nope", "/docs/README"])
      expect((await get(path)).status, path).toBe(404);
  });
});
