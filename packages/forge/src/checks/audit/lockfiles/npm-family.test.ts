// The npm lockfile parsers: every package written in each format (package-lock v1/v2/v3,
// yarn v1 and berry, pnpm v5/v6/v9) is read back with its version, and nothing else;
// arbitrary text yields packages or a LockfileError, never another throw.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type LockedPackage, LockfileError } from "./locked.ts";
import { parseNpmLock } from "./npm-lock.ts";
import { parsePnpmLock, pnpmKey } from "./pnpm-lock.ts";
import { parseYarnLock } from "./yarn-lock.ts";

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const name = fc.oneof(
  word,
  fc.tuple(word, word).map(([s, n]) => `@${s}/${n}`),
);
const version = fc
  .tuple(fc.nat(30), fc.nat(30), fc.nat(30), fc.option(fc.stringMatching(/^(alpha|beta|rc)\.[0-9]$/)))
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ""}`);
/** Distinct names, each with one version. */
const pkgs = fc.uniqueArray(fc.tuple(name, version), { selector: ([n]) => n, maxLength: 20 });

const sorted = (p: { packages: LockedPackage[] }) =>
  p.packages.map((x) => `${x.ecosystem}:${x.name}@${x.version}`).sort();
const expected = (list: [string, string][]) => list.map(([n, v]) => `npm:${n}@${v}`).sort();

const neverThrowsOtherwise = (parse: (t: string) => unknown) =>
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      try {
        parse(text);
      } catch (err) {
        expect(err).toBeInstanceOf(LockfileError);
      }
    }),
  );

describe("package-lock.json", () => {
  it("reads v2/v3 `packages` (nested paths too) and v1 nested `dependencies`", () => {
    fc.assert(
      fc.property(pkgs, pkgs, (top, nested) => {
        const packages: Record<string, unknown> = { "": { name: "app", version: "1.0.0" } };
        for (const [n, v] of top) packages[`node_modules/${n}`] = { version: v };
        for (const [n, v] of nested) packages[`node_modules/host/node_modules/${n}`] = { version: v };
        const all = expected([...top, ...nested]).filter((x, i, a) => a.indexOf(x) === i);
        expect(sorted(parseNpmLock(JSON.stringify({ lockfileVersion: 3, packages })))).toEqual(all);
        const deps = Object.fromEntries(top.map(([n, v]) => [n, { version: v }]));
        const v1 = { lockfileVersion: 1, dependencies: { host: { version: "1.0.0", dependencies: deps } } };
        expect(sorted(parseNpmLock(JSON.stringify(v1)))).toEqual(
          expected([...top, ["host", "1.0.0"]]).filter((x, i, a) => a.indexOf(x) === i),
        );
      }),
    );
  });

  it("skips the root, links, git and file versions, and reads aliases as the real package", () => {
    const lock = {
      lockfileVersion: 2,
      packages: {
        "": { name: "app", version: "1.0.0" },
        "node_modules/ws": { version: "7.4.5" },
        "node_modules/local": { version: "file:../local" },
        "node_modules/linked": { link: true, resolved: "packages/linked" },
        "node_modules/gitdep": { version: "git+https://example.test/x.git#abc" },
        "node_modules/old-lodash": { name: "lodash", version: "4.17.20" },
      },
    };
    expect(sorted(parseNpmLock(JSON.stringify(lock)))).toEqual(["npm:lodash@4.17.20", "npm:ws@7.4.5"]);
    const v1 = { dependencies: { "my-ms": { version: "npm:ms@2.0.0" } } };
    expect(sorted(parseNpmLock(JSON.stringify(v1)))).toEqual(["npm:ms@2.0.0"]);
  });

  it("refuses what is not a lockfile, and nothing else throws", () => {
    expect(() => parseNpmLock("{nope")).toThrow(LockfileError);
    expect(() => parseNpmLock("[]")).toThrow(LockfileError);
    neverThrowsOtherwise(parseNpmLock);
  });
});

describe("yarn.lock", () => {
  it("reads v1 and berry entries with several specifiers", () => {
    fc.assert(
      fc.property(pkgs, fc.boolean(), (list, berry) => {
        const text = list
          .map(([n, v]) =>
            berry
              ? `"${n}@npm:^${v}, ${n}@npm:~${v}":\n  version: ${v}\n  resolution: "${n}@npm:${v}"\n`
              : `"${n}@^${v}", ${n}@~${v}:\n  version "${v}"\n  resolved "https://r.test/${n}.tgz"\n  dependencies:\n    other "^1.0.0"\n`,
          )
          .join("\n");
        const head = berry
          ? '__metadata:\n  version: 6\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n\n'
          : "# yarn lockfile v1\n\n";
        expect(sorted(parseYarnLock(head + text))).toEqual(expected(list));
      }),
    );
  });

  it("reads an example", () => {
    const text =
      '# yarn lockfile v1\n\nlodash@^4.17.0:\n  version "4.17.20"\n  integrity sha512-x\n\n"@babel/core@^7.0.0":\n  version "7.12.3"\n';
    expect(sorted(parseYarnLock(text))).toEqual(["npm:@babel/core@7.12.3", "npm:lodash@4.17.20"]);
    neverThrowsOtherwise(parseYarnLock);
  });
});

describe("pnpm-lock.yaml", () => {
  const keyOf = (format: number, n: string, v: string) =>
    format === 5 ? `/${n}/${v}` : format === 6 ? `/${n}@${v}` : `${n}@${v}`;

  it("reads v5, v6 and v9 keys, scoped or not, with peer suffixes", () => {
    fc.assert(
      fc.property(pkgs, fc.constantFrom(5, 6, 9), fc.boolean(), (list, format, peers) => {
        const suffix = peers ? (format === 5 ? "_react@17.0.2" : "(react@17.0.2)") : "";
        const packages = Object.fromEntries(
          list.map(([n, v]) => [keyOf(format, n, v) + suffix, { resolution: { integrity: "sha512-x" } }]),
        );
        const doc = stringify({ lockfileVersion: format === 5 ? 5.4 : `${format}.0`, packages });
        expect(sorted(parsePnpmLock(doc))).toEqual(expected(list));
      }),
    );
  });

  it("reads examples and skips local entries", () => {
    expect(pnpmKey("/@types/node/18.0.0_typescript@5.0.0")).toEqual({
      name: "@types/node",
      version: "18.0.0",
    });
    expect(pnpmKey("/lodash@4.17.20(react@18.0.0)")).toEqual({ name: "lodash", version: "4.17.20" });
    expect(pnpmKey("file:../local")).toBeUndefined();
    expect(pnpmKey("link:packages/x")).toBeUndefined();
    const doc =
      "lockfileVersion: '9.0'\npackages:\n  minimist@1.2.5:\n    resolution: {integrity: sha512-x}\n  local@file:../x:\n    resolution: {directory: ../x}\n";
    expect(sorted(parsePnpmLock(doc))).toEqual(["npm:minimist@1.2.5"]);
    expect(() => parsePnpmLock("a: [")).toThrow(LockfileError);
    neverThrowsOtherwise(parsePnpmLock);
  });
});
