// A comment full of links puts its author in the administrators' review queue (the
// link_heavy abuse signal, as a project description's links do); the comment itself is kept.
import { SCOPES } from "@micelio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";

describe("links in review comments", () => {
  let f: TestForge;
  let ada: Awaited<ReturnType<typeof userWithToken>>;

  beforeAll(async () => {
    f = await startTestForge({ MICELIO_ABUSE_LINKS: "3" });
    ada = await userWithToken(f.url, "ada", [...SCOPES]); // the first account: an administrator
  });
  afterAll(async () => {
    await f.close();
  });

  it("flags a link-heavy commenter, not a plain one", async () => {
    await api(f.url, "POST", "/api/v1/projects", { token: ada.token, json: { handle: "app" } });
    const s = await api(f.url, "POST", "/api/v1/projects/ada/app/sessions", {
      token: ada.token,
      json: { goal: "Work" },
    });
    const comments = `/api/v1/projects/ada/app/sessions/${s.body.id}/comments`;
    const spammer = await userWithToken(f.url, "spammer");
    const plain = await userWithToken(f.url, "plain");
    const links = ["a", "b", "c"].map((x) => `https://${x}.example.test/buy`).join(" ");
    expect(
      (await api(f.url, "POST", comments, { token: plain.token, json: { body: "See https://x.test" } }))
        .status,
    ).toBe(201);
    const spam = await api(f.url, "POST", comments, {
      token: spammer.token,
      json: { body: `Deals: ${links}` },
    });
    expect(spam.status).toBe(201);
    const queue = (await api(f.url, "GET", "/api/v1/admin/review?state=open", { token: ada.token })).body as {
      account: string;
      signal: string;
      explanation: string;
    }[];
    const flagged = queue.filter((e) => e.signal === "link_heavy").map((e) => e.account);
    expect(flagged).toEqual(["spammer"]);
    expect(queue.find((e) => e.account === "spammer")?.explanation).toContain(
      `a comment on session ${s.body.id}`,
    );
  });
});
