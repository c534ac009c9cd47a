// Version order and advisory matching: semver precedence and the dotted order are total
// orders (antisymmetric, transitive) that agree with known examples; a range affects
// exactly the versions from `introduced` up to `fixed` (or through `last_affected`), a
// listed version always counts, and the fixed version reported is the range's.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AffectedEntry, matchVersion, normalizeOsv, osvSchema } from "./osv.ts";
import { compareDotted, compareVersions } from "./versions.ts";

const semver = fc
  .tuple(
    fc.nat(5),
    fc.nat(5),
    fc.nat(5),
    fc.option(fc.constantFrom("alpha", "alpha.1", "beta.2", "rc.1", "1")),
  )
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ""}`);
const dotted = fc.stringMatching(/^[0-9]{1,2}(\.[0-9]{1,2}){0,3}((a|b|rc|\.post|\.dev)[0-9])?$/);

describe("version order", () => {
  for (const [label, gen, cmp] of [
    ["semver", semver, (a: string, b: string) => compareVersions("npm", a, b)],
    ["dotted", dotted, compareDotted],
  ] as const)
    it(`${label} is a total order`, () => {
      fc.assert(
        fc.property(gen, gen, gen, (a, b, c) => {
          // Antisymmetric (added, so that +0 and -0 compare equal when a and b are equal).
          expect(Math.sign(cmp(a, b)) + Math.sign(cmp(b, a))).toBe(0);
          expect(cmp(a, a) === 0).toBe(true);
          if (cmp(a, b) <= 0 && cmp(b, c) <= 0) expect(cmp(a, c)).toBeLessThanOrEqual(0);
        }),
      );
    });

  it("agrees with known orders", () => {
    const chain = (eco: string, list: string[]) => {
      for (const [i, v] of list.slice(1).entries())
        expect(compareVersions(eco, list[i]!, v), `${list[i]} < ${v}`).toBeLessThan(0);
    };
    chain("npm", [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.10.0",
      "10.0.0",
    ]);
    chain("Go", ["v0.0.0-20200101000000-abcdef", "v0.3.0", "v0.3.7", "v1.0.0+incompatible", "v2.0.0"]);
    chain("PyPI", ["1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0.1", "1.2", "1.10", "2"]);
    chain("RubyGems", ["1.0.0.pre", "1.0.0", "1.0.1", "1.13.10"]);
    expect(compareVersions("PyPI", "1.0", "1.0.0")).toBe(0);
    expect(compareVersions("npm", "v1.2.3", "1.2.3+build.5")).toBe(0);
  });
});

const entry = (ranges: AffectedEntry["ranges"], versions: string[] = []): AffectedEntry => ({
  ecosystem: "npm",
  name: "x",
  ranges,
  versions,
});

describe("matching", () => {
  it("affects exactly [introduced, fixed) and reports the fix", () => {
    fc.assert(
      fc.property(semver, semver, semver, (a, b, v) => {
        const [lo, hi] = compareVersions("npm", a, b) <= 0 ? [a, b] : [b, a];
        const m = matchVersion(entry([[{ introduced: lo }, { fixed: hi }]]), v);
        const inside = compareVersions("npm", lo, v) <= 0 && compareVersions("npm", v, hi) < 0;
        expect(m).toEqual({ affected: inside, fixed: inside ? hi : null });
        const last = matchVersion(entry([[{ introduced: lo }, { last_affected: hi }]]), v);
        expect(last.affected).toBe(compareVersions("npm", lo, v) <= 0 && compareVersions("npm", v, hi) <= 0);
      }),
    );
  });

  it("always counts listed versions, and reads several ranges and events", () => {
    fc.assert(
      fc.property(dotted, (v) => {
        expect(matchVersion({ ...entry([], [v]), ecosystem: "PyPI" }, v).affected).toBe(true);
      }),
    );
    const e = entry([[{ introduced: "0" }, { fixed: "1.2.6" }, { introduced: "2.0.0" }, { fixed: "2.0.3" }]]);
    expect(matchVersion(e, "0.0.1")).toEqual({ affected: true, fixed: "1.2.6" });
    expect(matchVersion(e, "1.2.6").affected).toBe(false);
    expect(matchVersion(e, "2.0.1")).toEqual({ affected: true, fixed: "2.0.3" });
    expect(matchVersion(e, "3.0.0").affected).toBe(false);
    expect(matchVersion(entry([[{ introduced: "1.0.0" }]]), "9.9.9")).toEqual({
      affected: true,
      fixed: null,
    });
  });
});

describe("OSV records", () => {
  it("keeps what matching needs, drops GIT ranges, normalises PyPI names", () => {
    const r = osvSchema.parse({
      id: "GHSA-xxxx-yyyy-zzzz",
      details: "Prototype pollution.\nMore text.",
      database_specific: { severity: "HIGH", other: 1 },
      affected: [
        {
          package: { ecosystem: "PyPI", name: "Django_Rest" },
          ranges: [
            { type: "GIT", events: [{ introduced: "abc" }] },
            { type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "3.1" }] },
          ],
          ecosystem_specific: { x: 1 },
        },
      ],
    });
    expect(normalizeOsv(r)).toEqual({
      id: "GHSA-xxxx-yyyy-zzzz",
      summary: "Prototype pollution.",
      severity: "HIGH",
      aliases: [],
      modified: null,
      affected: [
        {
          ecosystem: "PyPI",
          name: "django-rest",
          ranges: [[{ introduced: "0" }, { fixed: "3.1" }]],
          versions: [],
        },
      ],
    });
    expect(osvSchema.safeParse({ id: "../x", affected: [] }).success).toBe(false);
  });
});
