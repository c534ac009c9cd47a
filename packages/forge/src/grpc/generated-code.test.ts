// The generated code in gen/ is what `npm run generate:grpc -w @micelio/forge` makes of the
// .proto files today: the proto directory is copied to a temporary directory and generated
// there with the same buf, buf.gen.yaml and protoc-gen-es (all local, no network), and every
// file is compared byte for byte. Editing a .proto without regenerating fails here.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../../../", import.meta.url));
const bin = join(root, "node_modules", ".bin");
const committed = join(root, "packages", "forge", "src", "grpc", "gen");
const work = mkdtempSync(join(tmpdir(), "micelio-grpc-gen-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

it("gen/ is what buf generate makes of the .proto files", async () => {
  // buf.gen.yaml writes to ../packages/forge/src/grpc/gen: inside `work` for this copy.
  cpSync(join(root, "proto"), join(work, "proto"), { recursive: true });
  const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` };
  const opts = { cwd: join(work, "proto"), env };
  await run(join(bin, "buf"), ["lint"], opts);
  await run(join(bin, "buf"), ["generate"], opts);
  const fresh = join(work, "packages", "forge", "src", "grpc", "gen");
  const names = files(fresh);
  expect(names).toContain(join("micelio", "sessions", "v1", "sessions_pb.ts"));
  expect(files(committed), "files in gen/ (run npm run generate:grpc -w @micelio/forge)").toEqual(names);
  for (const name of names) {
    const stale = !readFileSync(join(fresh, name)).equals(readFileSync(join(committed, name)));
    expect(stale, `gen/${name} is stale: run npm run generate:grpc -w @micelio/forge`).toBe(false);
  }
});
