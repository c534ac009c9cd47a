// Remote HTML reduced to text (federation.ts plainText) and the forge's own notes (outbox.ts):
// what the forge publishes comes back as the same text on another forge, whatever it says;
// markup, scripts included, never survives as markup; the work stays bounded.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainText } from "./federation.ts";
import { escapeHtml, noteText } from "./outbox.ts";

describe("plainText", () => {
  it("recovers any text the forge escaped into a note", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (s) => {
        expect(plainText(escapeHtml(s))).toBe(s.trim());
      }),
    );
  });

  it("leaves no tag of the input and drops script bodies", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("<p>", "</p>", "<b>", "x", " ", "<br>", "<a href='j'>", "1")),
        (parts) => {
          const out = plainText(parts.join(""));
          expect(out).not.toMatch(/<(p|b|br|a)\b/);
        },
      ),
    );
    expect(plainText("<p>hi</p><script>alert(1)</script><p>there</p>")).toBe("hi\n\nthere");
    expect(plainText("<STYLE>p{}</STYLE>ok")).toBe("ok");
  });

  it("keeps to its bound on large or hostile input", () => {
    expect(plainText("<".repeat(300_000)).length).toBeLessThanOrEqual(20_000);
    expect(plainText(`${"<script>".repeat(30_000)}x`)).toBe("");
  });
});

describe("noteText", () => {
  const base = { id: 7, owner: "acme", handle: "tool" };
  it("words landings and releases, and skips other events", () => {
    expect(
      noteText(
        { ...base, type: "session.landed", data: { session: "S1", position: 3, goal: "Go" } },
        "https://f.example",
      )?.text,
    ).toBe("Landed on acme/tool at position 3: Go");
    const tag = noteText(
      { ...base, type: "tag", data: { refs: ["refs/tags/v1.2.0", "refs/tags/v1.2.1"] } },
      "https://f.example",
    );
    expect(tag?.text).toBe("Released acme/tool v1.2.0, v1.2.1");
    expect(tag?.url.href).toBe("https://f.example/acme/tool/tree/v1.2.0");
    expect(noteText({ ...base, type: "tag", data: { refs: [] } }, "https://f.example")).toBeNull();
    expect(noteText({ ...base, type: "star", data: {} }, "https://f.example")).toBeNull();
  });
});
