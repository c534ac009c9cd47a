// Heap held by named objects in V8 heap snapshots (as written by bench/soak.ts --snapshots):
// for each object whose constructor is one of the --names, the self sizes of everything
// reachable from it without passing through a closure, a function context, code or a hidden
// class (those lead to whole modules). A rough "what does this structure hold" that
// heap-diff.ts (self sizes by constructor) cannot answer; shared objects are counted for each.
// Run: npx tsx bench/heap-reach.ts A.heapsnapshot [B…] --names LandingIndex,ByteLru
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values: opt, positionals: files } = parseArgs({
  allowPositionals: true,
  options: { names: { type: "string", default: "LandingIndex,ByteLru" } },
});
const names = opt.names.split(",");

interface Snapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const SKIP_TYPES = new Set(["code", "hidden", "object shape", "closure", "synthetic"]);

function reach(path: string) {
  const s = JSON.parse(readFileSync(path, "utf8")) as Snapshot;
  const { node_fields: nf, node_types, edge_fields, edge_types } = s.snapshot.meta;
  const [w, ew, types, etypes] = [nf.length, edge_fields.length, node_types[0], edge_types[0]];
  const [ti, ni, si, eci] = ["type", "name", "self_size", "edge_count"].map((f) => nf.indexOf(f));
  const count = s.nodes.length / w;
  const first = new Uint32Array(count);
  for (let n = 0, e = 0; n < count; n++) {
    first[n] = e;
    e += s.nodes[n * w + eci] * ew;
  }
  const type = (n: number) => types[s.nodes[n * w + ti]];
  const name = (n: number) => s.strings[s.nodes[n * w + ni]];
  const out: { name: string; mib: number; nodes: number }[] = [];
  for (let root = 0; root < count; root++) {
    // Bundlers rename classes (LandingIndex → _LandingIndex, ByteLru → ByteLru2).
    const own = name(root).replace(/^_+|\d+$/g, "");
    if (type(root) !== "object" || !names.includes(own)) continue;
    const seen = new Uint8Array(count);
    const stack = [root];
    seen[root] = 1;
    let bytes = 0;
    let nodes = 0;
    while (stack.length > 0) {
      const n = stack.pop()!;
      bytes += s.nodes[n * w + si];
      nodes++;
      for (let k = first[n]; k < first[n] + s.nodes[n * w + eci] * ew; k += ew) {
        const et = etypes[s.edges[k]];
        if (et === "weak" || et === "shortcut") continue;
        const en = et === "element" || et === "hidden" ? "" : String(s.strings[s.edges[k + 1]]);
        if (en === "__proto__" || en === "constructor" || (et === "internal" && en === "map")) continue;
        const to = s.edges[k + 2] / w;
        if (seen[to] || SKIP_TYPES.has(type(to)) || name(to) === "system / Context") continue;
        seen[to] = 1;
        stack.push(to);
      }
    }
    out.push({ name: own, mib: Number((bytes / 1048576).toFixed(2)), nodes });
  }
  return out.sort((a, b) => b.mib - a.mib);
}

for (const file of files) console.log(file, JSON.stringify(reach(file)));
