// Language detection: file names and extensions map to shiki grammar ids; anything unknown
// (or hostile, like prototype property names) is plain text.
import { describe, expect, it } from "vitest";
import { detectLanguage, fenceLanguage, KNOWN_LANGUAGES, PLAIN_TEXT } from "./languages.ts";

describe("detectLanguage", () => {
  it("maps common extensions", () => {
    const table: Record<string, string> = {
      "src/a.ts": "typescript",
      "App.tsx": "tsx",
      "x.js": "javascript",
      "x.jsx": "jsx",
      "package.json": "json",
      "README.md": "markdown",
      "a.py": "python",
      "main.go": "go",
      "lib.rs": "rust",
      "x.rb": "ruby",
      "A.java": "java",
      "a.c": "c",
      "a.h": "c",
      "a.cpp": "cpp",
      "run.sh": "shellscript",
      "x.bash": "shellscript",
      "ci.yaml": "yaml",
      "ci.yml": "yaml",
      "Cargo.toml": "toml",
      "index.HTML": "html",
      "s.css": "css",
      "q.sql": "sql",
      "lib/a.ex": "elixir",
      "test/a_test.exs": "elixir",
      "build.zig": "zig",
    };
    for (const [path, language] of Object.entries(table)) expect(detectLanguage(path), path).toBe(language);
  });

  it("knows files by name", () => {
    expect(detectLanguage("Dockerfile")).toBe("docker");
    expect(detectLanguage("deploy/Dockerfile.prod")).toBe("docker");
    expect(detectLanguage("Makefile")).toBe("make");
    expect(detectLanguage("GNUmakefile")).toBe("make");
    expect(detectLanguage("Gemfile")).toBe("ruby");
    expect(detectLanguage("tsconfig.json")).toBe("jsonc");
  });

  it("falls back to plain text", () => {
    for (const path of [
      "notes.txt",
      "LICENSE",
      ".gitignore",
      "a.unknownext",
      "",
      "constructor",
      "x.__proto__",
    ]) {
      expect(detectLanguage(path), path).toBe(PLAIN_TEXT);
    }
  });

  it("reads fence info strings", () => {
    expect(fenceLanguage("ts")).toBe("typescript");
    expect(fenceLanguage("console")).toBe("shellscript");
    expect(fenceLanguage("rust ignore")).toBe("rust");
    expect(fenceLanguage("Dockerfile")).toBe("docker");
    expect(fenceLanguage("mermaid")).toBe(PLAIN_TEXT);
    expect(fenceLanguage("toString")).toBe(PLAIN_TEXT);
    expect(fenceLanguage("")).toBe(PLAIN_TEXT);
    expect(KNOWN_LANGUAGES.has(PLAIN_TEXT)).toBe(false);
  });
});
