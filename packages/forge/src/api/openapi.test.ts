import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../app.ts";
import { api } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

describe("OpenAPI document", () => {
  let f: TestForge;
  beforeAll(async () => {
    f = await startTestForge();
  });
  afterAll(() => f.close());

  it("validates as OpenAPI 3.1", async () => {
    const doc = await api(f.url, "GET", "/api/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.1.0");
    const res = await new Validator().validate(doc.body);
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
  });

  it("lists every /api/v1 route the application serves", async () => {
    const doc = (await api(f.url, "GET", "/api/openapi.json")).body;
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} /api${path}`);
    }
    const served = buildApp(f.forge)
      .routes.filter((r) => r.path.startsWith("/api/v1/") && r.method !== "ALL")
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(served.length).toBeGreaterThan(10);
    for (const route of served) expect(documented, route).toContain(route);
  });

  it("serves the reference UI and its assets from this instance", async () => {
    const page = await fetch(`${f.url}/api/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("/api/openapi.json");
    for (const src of html.match(/\/assets\/swagger\/[\w.-]+/g) ?? []) {
      expect((await fetch(f.url + src)).status).toBe(200);
    }
  });
});
