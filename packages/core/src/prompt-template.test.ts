// The {{placeholder}} reader: names in order of first use, each once, whatever the body.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_PLACEHOLDERS, TEMPLATE_ID_RE, templatePlaceholders } from "./prompt-template.ts";

describe("templatePlaceholders", () => {
  it("reads names in order of first use, each once, tolerating spaces", () => {
    expect(templatePlaceholders("Fix {{ issue }} in {{file}}; see {{issue}} and {{a.b-c_d}}")).toEqual([
      "issue",
      "file",
      "a.b-c_d",
    ]);
    expect(templatePlaceholders("{{}} {{ 1x }} {x} {{x y}} {{{z}}}")).toEqual(["z"]);
  });

  it("finds every generated placeholder, and never more than the cap", () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/);
    const filler = fc.string({ maxLength: 20 }).map((s) => s.replace(/[{}]/g, ""));
    fc.assert(
      fc.property(fc.array(fc.tuple(filler, name), { maxLength: 80 }), (parts) => {
        const body = parts.map(([text, n]) => `${text}{{${n}}}`).join("");
        const expected = [...new Set(parts.map(([, n]) => n))].slice(0, MAX_PLACEHOLDERS);
        expect(templatePlaceholders(body)).toEqual(expected);
      }),
    );
  });

  it("ids are lowercase slugs of at most 64 characters", () => {
    expect(TEMPLATE_ID_RE.test("fix-a-bug")).toBe(true);
    expect(TEMPLATE_ID_RE.test("9")).toBe(true);
    for (const bad of ["-x", "Fix", "a_b", "a".repeat(65), ""]) expect(TEMPLATE_ID_RE.test(bad)).toBe(false);
  });
});
