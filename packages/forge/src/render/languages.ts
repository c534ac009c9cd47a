// Language detection for the code browser: maps a file name (or a markdown fence's info
// string) to the id of the shiki grammar that highlights it, or "text" for plain text.
// Only ids listed here are ever loaded, so a path can never pick an arbitrary module.

/** The plain-text pseudo language: content is escaped, never tokenized. */
export const PLAIN_TEXT = "text";

/** Shiki grammar id -> file extensions (lowercase, without the dot) that use it. */
const EXTENSIONS: Record<string, string[]> = {
  typescript: ["ts", "mts", "cts"],
  tsx: ["tsx"],
  javascript: ["js", "mjs", "cjs"],
  jsx: ["jsx"],
  json: ["json", "webmanifest"],
  jsonc: ["jsonc"],
  json5: ["json5"],
  jsonl: ["jsonl", "ndjson"],
  markdown: ["md", "markdown", "mdown", "mkd"],
  mdx: ["mdx"],
  python: ["py", "pyi", "pyw"],
  go: ["go"],
  rust: ["rs"],
  ruby: ["rb", "rake", "gemspec"],
  java: ["java"],
  kotlin: ["kt", "kts"],
  scala: ["scala", "sc"],
  groovy: ["groovy", "gradle"],
  c: ["c", "h"],
  cpp: ["cpp", "cc", "cxx", "c++", "hpp", "hh", "hxx", "h++", "ino"],
  "objective-c": ["m"],
  csharp: ["cs"],
  fsharp: ["fs", "fsx", "fsi"],
  swift: ["swift"],
  dart: ["dart"],
  shellscript: ["sh", "bash", "ksh", "bats"],
  zsh: ["zsh"],
  fish: ["fish"],
  powershell: ["ps1", "psm1", "psd1"],
  bat: ["bat", "cmd"],
  yaml: ["yaml", "yml"],
  toml: ["toml"],
  ini: ["ini", "cfg", "conf", "editorconfig"],
  properties: ["properties"],
  dotenv: ["env"],
  xml: ["xml", "xsd", "xsl", "xslt", "plist", "csproj", "svg"],
  html: ["html", "htm", "xhtml"],
  css: ["css"],
  scss: ["scss"],
  sass: ["sass"],
  less: ["less"],
  vue: ["vue"],
  svelte: ["svelte"],
  astro: ["astro"],
  sql: ["sql"],
  graphql: ["graphql", "gql"],
  proto: ["proto"],
  elixir: ["ex", "exs"],
  erlang: ["erl", "hrl"],
  gleam: ["gleam"],
  haskell: ["hs", "lhs"],
  ocaml: ["ml", "mli"],
  elm: ["elm"],
  clojure: ["clj", "cljs", "cljc", "edn"],
  zig: ["zig", "zon"],
  nim: ["nim"],
  d: ["d"],
  lua: ["lua"],
  perl: ["pl", "pm"],
  php: ["php"],
  r: ["r"],
  julia: ["jl"],
  nix: ["nix"],
  hcl: ["hcl"],
  terraform: ["tf", "tfvars"],
  diff: ["diff", "patch"],
  latex: ["tex", "sty", "cls"],
  cmake: ["cmake"],
  make: ["mk", "mak"],
  docker: ["dockerfile"],
  nginx: ["nginx"],
  vim: ["vim"],
  solidity: ["sol"],
  prisma: ["prisma"],
  csv: ["csv"],
  rst: ["rst"],
  asm: ["asm", "s"],
};

/** Exact file names (lowercase) whose language the extension does not tell. */
const FILE_NAMES: Record<string, string> = {
  dockerfile: "docker",
  containerfile: "docker",
  makefile: "make",
  gnumakefile: "make",
  "cmakelists.txt": "cmake",
  gemfile: "ruby",
  rakefile: "ruby",
  podfile: "ruby",
  vagrantfile: "ruby",
  brewfile: "ruby",
  justfile: "make",
  ".bashrc": "shellscript",
  ".bash_profile": "shellscript",
  ".profile": "shellscript",
  ".zshrc": "zsh",
  ".env": "dotenv",
  ".gitconfig": "ini",
  ".editorconfig": "ini",
  "go.mod": "go",
  "cargo.lock": "toml",
  "tsconfig.json": "jsonc",
  "jsconfig.json": "jsonc",
  ".babelrc": "json",
  ".eslintrc": "json",
  commit_editmsg: "git-commit",
  "git-rebase-todo": "git-rebase",
};

/** Extra names a markdown fence may use (```sh, ```py …) beyond ids and extensions. */
const FENCE_ALIASES: Record<string, string> = {
  shell: "shellscript",
  console: "shellscript",
  ts: "typescript",
  js: "javascript",
  node: "javascript",
  py: "python",
  python3: "python",
  golang: "go",
  rs: "rust",
  rb: "ruby",
  yml: "yaml",
  dockerfile: "docker",
  makefile: "make",
  "c++": "cpp",
  "c#": "csharp",
  "f#": "fsharp",
  elisp: "emacs-lisp",
  patch: "diff",
  tf: "terraform",
  plaintext: PLAIN_TEXT,
  txt: PLAIN_TEXT,
  text: PLAIN_TEXT,
};

const BY_EXTENSION = new Map<string, string>();
for (const [id, exts] of Object.entries(EXTENSIONS)) for (const ext of exts) BY_EXTENSION.set(ext, id);

/** Every grammar id this module can hand out (and so the only ones ever loaded). */
export const KNOWN_LANGUAGES: ReadonlySet<string> = new Set([
  ...Object.keys(EXTENSIONS),
  ...Object.values(FILE_NAMES),
  ...Object.values(FENCE_ALIASES).filter((id) => id !== PLAIN_TEXT),
]);

/** Language of a repository file, from its name; "text" when unknown. */
export function detectLanguage(path: string): string {
  const name = (path.split(/[\\/]/).pop() ?? "").toLowerCase();
  if (Object.hasOwn(FILE_NAMES, name)) return FILE_NAMES[name]!;
  if (name.startsWith("dockerfile.") || name.endsWith(".dockerfile")) return "docker";
  if (name.startsWith("makefile.")) return "make";
  if (name.startsWith(".env.")) return "dotenv";
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return PLAIN_TEXT;
  return BY_EXTENSION.get(name.slice(dot + 1)) ?? PLAIN_TEXT;
}

/** Language named by a markdown fence's info string (```ts title="x"), or "text". */
export function fenceLanguage(info: string): string {
  const word = info.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  if (!word) return PLAIN_TEXT;
  if (Object.hasOwn(FENCE_ALIASES, word)) return FENCE_ALIASES[word]!;
  if (KNOWN_LANGUAGES.has(word)) return word;
  return BY_EXTENSION.get(word) ?? PLAIN_TEXT;
}
