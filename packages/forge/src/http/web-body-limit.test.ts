// Web form bodies are capped before the CSRF check reads them: an oversized form gets 413
// (with or without a Content-Length), a normal one goes through; the JSON API keeps its own cap.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { MAX_FORM_BYTES } from "./web-body-limit.ts";

describe("web form body limit", () => {
  let f: TestForge;
  beforeAll(async () => {
    f = await startTestForge();
  });
  afterAll(() => f.close());

  const post = (path: string, body: RequestInit["body"], headers: Record<string, string>) =>
    fetch(f.url + path, {
      method: "POST",
      body,
      headers: { accept: "text/html", ...headers },
      duplex: "half",
    } as RequestInit);

  it("refuses a form larger than 1 MB with 413, before anything reads it", async () => {
    const big = `login=x&password=${"a".repeat(MAX_FORM_BYTES + 10)}`;
    const r = await post("/login", big, { "content-type": "application/x-www-form-urlencoded" });
    expect(r.status).toBe(413);
    expect(await r.text()).toContain("larger than 1 MB");
    // Streamed without a Content-Length: counted as it arrives.
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("a".repeat(100_000)));
        controller.close();
      },
    });
    const streamed = await post("/login", chunks, { "content-type": "application/x-www-form-urlencoded" });
    expect(streamed.status).toBe(413);
    const avatar = new FormData();
    avatar.append("avatar", new Blob([new Uint8Array(4 * 1024 * 1024)]), "big.png");
    expect((await post("/settings/profile/avatar", avatar, {})).status).toBe(413);
    // Signed out, an upload route gets no more than a form: 2 MB to the import is refused.
    const bundle = new FormData();
    bundle.append("bundle", new Blob([new Uint8Array(2 * 1024 * 1024)]), "x.bundle");
    const imported = await post("/new/import", bundle, {});
    expect(imported.status).toBe(413);
    expect(await imported.text()).toContain("larger than 1 MB");
  });

  it("lets ordinary forms through to the CSRF check, sent whole or in chunks", async () => {
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const r = await post("/login", "login=x&password=y", form);
    expect(r.status).toBe(403); // no CSRF token: refused by the next step, not by size
    const chunks = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("login=x&"));
        controller.enqueue(new TextEncoder().encode("password=y"));
        controller.close();
      },
    });
    expect((await post("/login", chunks, form)).status).toBe(403);
  });
});
