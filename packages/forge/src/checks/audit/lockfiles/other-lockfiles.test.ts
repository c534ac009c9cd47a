// The Cargo, Go, PyPI (poetry.lock, pinned requirements.txt) and RubyGems lockfile parsers:
// every package written in the format is read back with its version, local and unpinned
// entries are left out, and no text makes them throw.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseGemfileLock } from "./gemfile-lock.ts";
import { parseGoSum } from "./go-sum.ts";
import type { LockedPackage } from "./locked.ts";
import { parseRequirements } from "./requirements.ts";
import { parseCargoLock, parsePoetryLock } from "./toml-packages.ts";

const word = fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/);
const version = fc.tuple(fc.nat(40), fc.nat(40), fc.nat(40)).map((v) => v.join("."));
const pkgs = fc.uniqueArray(fc.tuple(word, version), { selector: ([n]) => n, maxLength: 20 });
const sorted = (p: { packages: LockedPackage[] }) =>
  p.packages.map((x) => `${x.ecosystem}:${x.name}@${x.version}`).sort();
const expected = (eco: string, list: [string, string][], key = (n: string) => n) =>
  list.map(([n, v]) => `${eco}:${key(n)}@${v}`).sort();
const pep503 = (n: string) => n.replace(/[-_.]+/g, "-");

const noThrow = (parse: (t: string) => unknown) => fc.assert(fc.property(fc.string(), (t) => void parse(t)));

describe("Cargo.lock and poetry.lock", () => {
  it("reads registry crates and skips the workspace's own and git crates", () => {
    fc.assert(
      fc.property(pkgs, (list) => {
        const text = [
          "version = 3",
          '[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n "serde",\n]',
          ...list.map(
            ([n, v]) =>
              `[[package]]\nname = "${n}"\nversion = "${v}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "ab"`,
          ),
          '[[package]]\nname = "forked"\nversion = "1.0.0"\nsource = "git+https://example.test/forked#abc"',
        ].join("\n\n");
        expect(sorted(parseCargoLock(text))).toEqual(expected("crates.io", list));
      }),
    );
    noThrow(parseCargoLock);
  });

  it("reads poetry packages with normalised names", () => {
    fc.assert(
      fc.property(pkgs, (list) => {
        const text = list
          .map(
            ([n, v]) =>
              `[[package]]\nname = "${n}"\nversion = "${v}"\ndescription = "x"\noptional = false\n\n[package.dependencies]\nsix = ">=1.0"\n`,
          )
          .join("\n");
        expect(sorted(parsePoetryLock(`${text}\n[metadata]\nlock-version = "2.0"\n`))).toEqual(
          expected("PyPI", list, pep503),
        );
      }),
    );
    expect(sorted(parsePoetryLock('[[package]]\nname = "Django_REST.framework"\nversion = "3.0"\n'))).toEqual(
      ["PyPI:django-rest-framework@3.0"],
    );
    noThrow(parsePoetryLock);
  });
});

describe("go.sum", () => {
  it("reads each module version once (the module line and its go.mod line)", () => {
    const mod = fc.tuple(word, word).map(([a, b]) => `example.test/${a}/${b}`);
    const list = fc.uniqueArray(fc.tuple(mod, version), { selector: ([n]) => n, maxLength: 20 });
    fc.assert(
      fc.property(list, (l) => {
        const text = l.flatMap(([m, v]) => [`${m} v${v} h1:abc=`, `${m} v${v}/go.mod h1:def=`]).join("\n");
        expect(sorted(parseGoSum(text))).toEqual(l.map(([m, v]) => `Go:${m}@v${v}`).sort());
      }),
    );
    expect(sorted(parseGoSum("golang.org/x/text v0.3.0+incompatible/go.mod h1:x=\nbad line\n"))).toEqual([
      "Go:golang.org/x/text@v0.3.0+incompatible",
    ]);
    noThrow(parseGoSum);
  });
});

describe("requirements.txt", () => {
  it("reads == pins with extras, markers, hashes and comments, and skips ranges", () => {
    fc.assert(
      fc.property(pkgs, fc.constantFrom("", "[security]", " "), (list, extra) => {
        const text = list
          .map(([n, v]) => `${n}${extra}==${v} ; python_version >= "3.8" \\\n    --hash=sha256:abc # via x`)
          .join("\n");
        expect(sorted(parseRequirements(`# pinned\n-r base.txt\nflask>=2.0\n${text}\n`))).toEqual(
          expected("PyPI", list, pep503),
        );
      }),
    );
    expect(sorted(parseRequirements("Jinja2==2.10\nrequests == 2.19.1  # old\n"))).toEqual([
      "PyPI:jinja2@2.10",
      "PyPI:requests@2.19.1",
    ]);
    noThrow(parseRequirements);
  });
});

describe("Gemfile.lock", () => {
  it("reads the GEM specs, not their dependencies nor GIT/PATH gems, without platforms", () => {
    fc.assert(
      fc.property(pkgs, (list) => {
        const specs = list.map(([n, v]) => `    ${n} (${v})\n      rack (>= 2.0)`).join("\n");
        const text = `GIT\n  remote: https://example.test/x.git\n  specs:\n    forked (1.0.0)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n${specs}\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rails\n`;
        expect(sorted(parseGemfileLock(text))).toEqual(expected("RubyGems", list));
      }),
    );
    const example =
      "GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.15.4-x86_64-linux)\n      racc (~> 1.4)\n    racc (1.7.1)\n";
    expect(sorted(parseGemfileLock(example))).toEqual(["RubyGems:nokogiri@1.15.4", "RubyGems:racc@1.7.1"]);
    noThrow(parseGemfileLock);
  });
});
