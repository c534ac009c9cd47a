// Compares V8 heap snapshots (as written by bench/soak.ts --snapshots): for each node kind and
// constructor name, the count and self size in each snapshot, sorted by growth from the first
// to the last. A rough but quick answer to "what grows" (self sizes, not retained sizes).
// Run: npx tsx bench/heap-diff.ts A.heapsnapshot B.heapsnapshot [C…] [--top 40]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values: opt, positionals: files } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "40" } },
});

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** count and self size per "type name" key. */
function summarize(path: string): Map<string, { n: number; bytes: number }> {
  const snap = JSON.parse(readFileSync(path, "utf8")) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [ti, ni, si] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const out = new Map<string, { n: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + ti]];
    let name =
      type === "object" || type === "closure" || type === "native" ? snap.strings[snap.nodes[i + ni]] : "";
    if (name.length > 60) name = `${name.slice(0, 60)}…`;
    const key = `${type} ${name}`.trim();
    const row = out.get(key) ?? { n: 0, bytes: 0 };
    row.n++;
    row.bytes += snap.nodes[i + si];
    out.set(key, row);
  }
  return out;
}

const sums = files.map(summarize);
const keys = new Set(sums.flatMap((s) => [...s.keys()]));
const rows = [...keys].map((k) => ({ k, at: sums.map((s) => s.get(k) ?? { n: 0, bytes: 0 }) }));
const growth = (r: (typeof rows)[number]) => r.at[r.at.length - 1].bytes - r.at[0].bytes;
rows.sort((a, b) => growth(b) - growth(a));
const MiB = (b: number) => (b / 1048576).toFixed(2);
const totals = sums.map((s) => [...s.values()].reduce((a, r) => a + r.bytes, 0));
console.log(`total MiB: ${totals.map(MiB).join(" → ")}`);
for (const r of rows.slice(0, Number(opt.top)))
  console.log(
    `${MiB(growth(r)).padStart(8)}  ${r.at.map((a) => `${a.n}/${MiB(a.bytes)}`).join(" → ")}  ${r.k}`,
  );
