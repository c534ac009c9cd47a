// Mentions: @handles found where people write them, not in addresses or paths; bounded.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mentionedHandles } from "./mentions.ts";

describe("mentions", () => {
  it("finds handles, once each, lower-cased", () => {
    expect(mentionedHandles("@Dave and (@carol), also @dave again")).toEqual(["dave", "carol"]);
    expect(mentionedHandles("mail me at dave@example.com or see docs/@carol")).toEqual([]);
  });
  it("never returns more than 20, each a valid handle (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (text) => {
        const found = mentionedHandles(text);
        expect(found.length).toBeLessThanOrEqual(20);
        for (const h of found) expect(h).toMatch(/^[a-z0-9][a-z0-9-]{0,38}$/);
      }),
    );
  });
});
