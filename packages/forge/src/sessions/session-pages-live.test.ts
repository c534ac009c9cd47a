// The live page's script is a string in a template literal: escapes in it are easy to lose
// (a `\/` turns into `/`), so it must still parse as JavaScript.
import { describe, expect, it } from "vitest";
import { SESSION_LIVE_JS } from "./session-pages-live.ts";

describe("the live session script", () => {
  it("parses, and builds artifact links without backslash escapes", () => {
    expect(() => new Function(SESSION_LIVE_JS)).not.toThrow();
    expect(SESSION_LIVE_JS).toContain('"/artifacts/"');
  });
});
