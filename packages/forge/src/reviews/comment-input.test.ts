// The review form's fields become the API's comment body: properties over arbitrary fields
// (never a throw; an empty optional field is left out; a line is a number only when the field
// is digits, and anything else is refused by the schema rather than read as another line).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCommentSchema } from "./comments-service.ts";
import { commentInput } from "./review-pages.tsx";

const field = fc.oneof(
  fc.constant(""),
  fc.constant("  "),
  fc.string({ maxLength: 30 }),
  fc.stringMatching(/^\d{1,12}$/),
);
const fields = fc.record(
  { kind: field, body: field, path: field, line: field, suggested_prompt: field },
  { requiredKeys: [] },
);

describe("commentInput", () => {
  it("never throws, and leaves blank optional fields out", () => {
    fc.assert(
      fc.property(fields, (v) => {
        const input = commentInput(v);
        expect("path" in input).toBe(Boolean(v.path?.trim()));
        expect("suggested_prompt" in input).toBe(Boolean(v.suggested_prompt?.trim()));
        expect("line" in input).toBe(Boolean(v.line?.trim()));
        createCommentSchema.safeParse(input);
      }),
    );
  });

  it("reads a line only from digits, and the schema refuses any other", () => {
    fc.assert(
      fc.property(fields, (v) => {
        const input = commentInput({ ...v, kind: "comment", body: "x", path: "a.ts" });
        const parsed = createCommentSchema.safeParse(input);
        const line = v.line?.trim() ?? "";
        if (/^\d{1,9}$/.test(line)) expect(input.line).toBe(Number(line));
        if (/^\d{1,9}$/.test(line) && Number(line) >= 1 && Number(line) <= 100_000_000) {
          if (!v.suggested_prompt?.trim()) expect(parsed.success).toBe(true);
        } else if (line) expect(parsed.success).toBe(false);
      }),
    );
  });
});
