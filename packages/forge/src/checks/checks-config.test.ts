// checks.yml parsing: the example is accepted with its defaults filled in, every kind
// of mistake names its path, line and column, and no input whatsoever makes the parser throw;
// any config the schema accepts survives a YAML round trip unchanged (property tests).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { CATEGORIES, formatConfigErrors, parseChecksConfig } from "./checks-config.ts";

const EXAMPLE = `min_score: 80            # aggregate, 0-100
steps:
  - name: tests
    run: npm test
    category: test       # test | lint | types | style | security | performance
    timeout: 600         # seconds
    weight: 2
`;

describe("checks.yml", () => {
  it("accepts the documented example and fills in the defaults", () => {
    const parsed = parseChecksConfig(EXAMPLE);
    expect(parsed).toEqual({
      ok: true,
      config: {
        min_score: 80,
        network: false,
        steps: [{ name: "tests", run: "npm test", category: "test", timeout: 600, weight: 2 }],
      },
    });
    const minimal = parseChecksConfig("steps:\n  - name: lint\n    run: npm run lint\n");
    expect(minimal.ok && minimal.config.steps[0]).toEqual({
      name: "lint",
      run: "npm run lint",
      category: "test",
      timeout: 600,
      weight: 1,
    });
  });

  it("names line, column and path of each mistake", () => {
    const parsed = parseChecksConfig(
      "min_score: 180\nsteps:\n  - name: tests\n    run: npm test\n    category: tset\n  - name: other\n    run: x\n    bogus: 1\n",
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      expect.objectContaining({ path: "min_score", line: 1, column: 12 }),
      expect.objectContaining({ path: "steps.0.category", line: 5, column: 15 }),
      expect.objectContaining({
        path: "steps.1.bogus",
        line: 8,
        column: 5,
        message: 'Unrecognized key: "bogus"',
      }),
    ]);
    expect(formatConfigErrors(parsed.errors)[0]).toMatch(/^\.micelio\/checks\.yml:1:12: min_score: Too big/);
  });

  it("refuses broken YAML, duplicate keys and names, run and uses together, unknown categories in min_scores", () => {
    const cases: [string, RegExp][] = [
      ["steps: [\n", /.+/],
      ["steps: []\nsteps: []\n", /unique|duplicate/i],
      ["steps:\n  - {name: a, run: x}\n  - {name: a, run: y}\n", /two steps are named "a"/],
      ["steps:\n  - {name: a, run: x, uses: secret-scan}\n", /exactly one of `run`/],
      ["steps:\n  - {name: a}\n", /exactly one of `run`/],
      ["min_scores: {lint: 50}\nsteps:\n  - {name: a, run: x}\n", /no step has that category/],
      ["steps:\n  - {name: a, run: x, benchmark: {tolerance: 5}}\n", /Unrecognized key: "benchmark"/],
      [
        "steps:\n  - {name: a, run: x, baseline: {metric: ms, direction: lower}}\n",
        /`baseline` belongs to a `run` step with `category: performance`/,
      ],
      [
        "steps:\n  - {name: a, uses: dependency-audit, category: performance, baseline: {metric: ms, direction: lower}}\n",
        /`baseline` belongs to a `run` step/,
      ],
      [
        "steps:\n  - {name: a, run: x, category: performance, baseline: {metric: ms, direction: up}}\n",
        /higher/,
      ],
      ["- 1\n- 2\n", /expected object/],
      ["steps:\n  - {name: '-a', run: x}\n", /letters, digits/],
      [`steps:\n  - {name: a, run: "${"x".repeat(70_000)}"}\n`, /larger than 64 KiB/],
    ];
    const ok = parseChecksConfig(
      "steps:\n  - {name: b, run: x, category: performance, baseline: {metric: p50_ms, direction: lower}}\n  - {name: d, uses: dependency-audit, category: security}\n",
    );
    expect(ok.ok && ok.config.steps[0]?.baseline).toEqual({
      metric: "p50_ms",
      direction: "lower",
      tolerance: 10,
    });
    for (const [text, message] of cases) {
      const parsed = parseChecksConfig(text);
      expect(parsed.ok, text.slice(0, 60)).toBe(false);
      if (!parsed.ok)
        expect(parsed.errors.map((e) => e.message).join("; "), text.slice(0, 60)).toMatch(message);
    }
  });

  it("refuses alias bombs instead of expanding them", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++)
      bomb.push(
        `${"b".repeat(i)}: &${"b".repeat(i)} [${"*a, ".repeat(9)}*a]`.replaceAll(
          "*a",
          `*${i === 1 ? "a" : "b".repeat(i - 1)}`,
        ),
      );
    const parsed = parseChecksConfig(`${bomb.join("\n")}\nsteps: []\n`);
    expect(parsed.ok).toBe(false);
  });

  it("never throws, whatever the text (property)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.json()), (text) => {
        const parsed = parseChecksConfig(text);
        if (!parsed.ok) expect(parsed.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it("accepts every valid config it is given back through YAML, unchanged (property)", () => {
    const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
    const step = fc.record({
      name,
      run: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && s.length > 0),
      category: fc.constantFrom(...CATEGORIES.filter((c) => c !== "performance")),
      timeout: fc.integer({ min: 1, max: 3600 }),
      weight: fc.integer({ min: 0, max: 100 }),
    });
    const config = fc.record({
      min_score: fc.integer({ min: 0, max: 100 }),
      network: fc.boolean(),
      steps: fc.uniqueArray(step, { minLength: 1, maxLength: 6, selector: (s) => s.name }),
    });
    fc.assert(
      fc.property(config, (c) => {
        expect(parseChecksConfig(stringify(c))).toEqual({ ok: true, config: c });
      }),
      { numRuns: 200 },
    );
  });
});
