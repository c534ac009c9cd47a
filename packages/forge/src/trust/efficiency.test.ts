// Token efficiency: the ratios, waste, restart loops and the degrading alert, with a
// property that tokens per landed line never falls when an unlanded session is added.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { efficiency, type SessionTokens } from "./efficiency.ts";

const NOW = new Date("2026-12-01T00:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
const s = (over: Partial<SessionTokens>): SessionTokens => ({
  project: "p",
  goal: "g",
  status: "landed",
  at: daysAgo(1),
  tokens: 100,
  lines: 10,
  ...over,
});

describe("efficiency", () => {
  it("counts tokens per landed session and line, and the waste", () => {
    const e = efficiency(
      [
        s({ goal: "a" }),
        s({ goal: "b", tokens: 300, lines: 30 }),
        s({ goal: "c", status: "rejected", tokens: 50 }),
      ],
      NOW,
    );
    expect(e).toMatchObject({
      tokens: 450,
      landed_lines: 40,
      tokens_per_landed_session: 225,
      tokens_per_landed_line: 11.25,
      wasted_tokens: 50,
      restart_loops: [],
    });
    expect(efficiency([], NOW)).toMatchObject({
      tokens_per_landed_line: null,
      tokens_per_landed_session: null,
    });
  });

  it("finds a goal opened again and again without landing", () => {
    const again = [1, 2, 3].map((i) =>
      s({ goal: "Fix it ", status: i < 3 ? "abandoned" : "open", tokens: 10 }),
    );
    const e = efficiency([...again, s({ goal: "fix it" }), s({ goal: "other", status: "abandoned" })], NOW);
    expect(e.restart_loops).toEqual([{ goal: "Fix it ", sessions: 4, landed: true, tokens: 130 }]);
  });

  it("raises the degrading alert when tokens per line grow by half", () => {
    const before = s({ at: daysAgo(45), tokens: 100, lines: 10 });
    expect(efficiency([before, s({ tokens: 140, lines: 10 })], NOW).trend).toEqual({
      last_30_days: 14,
      previous_30_days: 10,
      degrading: false,
    });
    expect(efficiency([before, s({ tokens: 150, lines: 10 })], NOW).trend.degrading).toBe(true);
    // Sessions that report no tokens, then and now, are not degrading.
    const free = [s({ at: daysAgo(45), tokens: 0 }), s({ tokens: 0 })];
    expect(efficiency(free, NOW).trend).toMatchObject({
      last_30_days: 0,
      previous_30_days: 0,
      degrading: false,
    });
  });

  it("never improves tokens per landed line by adding a session that did not land", () => {
    const session = fc.record({
      project: fc.constantFrom("p", "q"),
      goal: fc.constantFrom("a", "b", "c"),
      status: fc.constantFrom("landed", "abandoned", "rejected", "open"),
      at: fc.integer({ min: 0, max: 90 }).map(daysAgo),
      tokens: fc.nat(10_000),
      lines: fc.nat(500),
    });
    fc.assert(
      fc.property(fc.array(session, { maxLength: 20 }), session, (list, extra) => {
        const lost = { ...extra, status: "abandoned" };
        const a = efficiency(list, NOW).tokens_per_landed_line;
        const b = efficiency([...list, lost], NOW).tokens_per_landed_line;
        if (a !== null && b !== null) expect(b).toBeGreaterThanOrEqual(a);
      }),
    );
  });
});
