// Malformed git smart HTTP requests for the fuzz test (fuzz-write-routes.test.ts): bad
// pkt-lines and lengths, garbage, wrong content types, truncated and mislabelled gzip, odd
// info/refs queries and Git-Protocol headers. None names a real object or ref update, so
// none can move a ref. (A truncated gzip body followed by a client hang-up is left out here:
// it is covered where smart-http.ts handles aborted streams.)
import { gzipSync } from "node:zlib";
import type { FuzzCase } from "./fuzz-bodies.ts";

export interface GitCase extends FuzzCase {
  method: "GET" | "POST";
  path: string;
  anonymous?: boolean;
  /** Git reads this body and may answer 200 with its own protocol error. */
  mayAnswer200?: boolean;
}

const pkt = (s: string | Buffer) => {
  const b = Buffer.isBuffer(s) ? s : Buffer.from(s);
  return Buffer.concat([Buffer.from((b.length + 4).toString(16).padStart(4, "0")), b]);
};
const FLUSH = Buffer.from("0000");
const ZERO = "0".repeat(40);
const NOPE = "1234567890abcdef1234567890abcdef12345678";
const cat = (...parts: Array<string | Buffer>) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));
const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256));

function bodies(
  service: "upload-pack" | "receive-pack",
): Array<{ name: string; body: Buffer; headers?: Record<string, string> }> {
  const common = [
    { name: "garbage", body: garbage },
    { name: "non-hex length", body: Buffer.from("zzzzwant") },
    { name: "length below 4", body: Buffer.from("0002") },
    { name: "length 0003", body: Buffer.from("0003abc0000") },
    { name: "length beyond body", body: Buffer.from("ffffwant ") },
    { name: "truncated pkt-line", body: pkt(`want ${NOPE}\n`).subarray(0, 20) },
    { name: "only a flush", body: FLUSH },
    { name: "empty body", body: Buffer.alloc(0) },
    {
      name: "invalid UTF-8 capabilities",
      body: cat(pkt(cat(`want ${NOPE} `, Buffer.from([0xff, 0xc0, 0xaf]), "\n")), FLUSH),
    },
    {
      name: "gzip header, body not gzip",
      body: cat(pkt(`want ${NOPE}\n`), FLUSH),
      headers: { "content-encoding": "gzip" },
    },
    { name: "gzip of garbage", body: gzipSync(garbage), headers: { "content-encoding": "gzip" } },
    {
      name: "truncated gzip (complete request)",
      body: gzipSync(garbage).subarray(0, 30),
      headers: { "content-encoding": "gzip" },
    },
  ];
  if (service === "upload-pack")
    return [
      ...common,
      { name: "want of a missing object", body: cat(pkt(`want ${NOPE}\n`), FLUSH, pkt("done\n")) },
      { name: "want of a malformed id", body: cat(pkt("want xyz\n"), FLUSH, pkt("done\n")) },
      { name: "unknown command", body: cat(pkt("frobnicate\n"), FLUSH) },
      {
        name: "deepen by a huge number",
        body: cat(pkt(`want ${NOPE}\n`), pkt("deepen 99999999999999999999\n"), FLUSH, pkt("done\n")),
      },
      {
        name: "v2 unknown command",
        body: cat(pkt("command=bogus\n"), FLUSH),
        headers: { "git-protocol": "version=2" },
      },
      {
        name: "v2 fetch of a missing object",
        body: cat(pkt("command=fetch\n"), Buffer.from("0001"), pkt(`want ${NOPE}\n`), pkt("done\n"), FLUSH),
        headers: { "git-protocol": "version=2" },
      },
    ];
  return [
    ...common,
    {
      name: "create a ref with a garbage pack",
      body: cat(pkt(`${ZERO} ${NOPE} refs/heads/fuzz\0report-status\n`), FLUSH, "PACK", garbage),
    },
    {
      name: "create a ref, no pack",
      body: cat(pkt(`${ZERO} ${NOPE} refs/heads/fuzz\0report-status\n`), FLUSH),
    },
    { name: "command with a malformed id", body: cat(pkt(`xyz ${NOPE} refs/heads/fuzz\n`), FLUSH) },
    { name: "command with no ref name", body: cat(pkt(`${ZERO} ${NOPE}\n`), FLUSH) },
    {
      name: "pack header with a huge object count",
      body: cat(
        pkt(`${ZERO} ${NOPE} refs/heads/fuzz\0report-status\n`),
        FLUSH,
        "PACK",
        Buffer.from([0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff]),
      ),
    },
  ];
}

export function smartHttpCases(projects: string[]): GitCase[] {
  const cases: GitCase[] = [];
  for (const p of projects) {
    for (const service of ["upload-pack", "receive-pack"] as const) {
      const type = `application/x-git-${service}-request`;
      const path = `/${p}/git-${service}`;
      for (const b of bodies(service))
        cases.push({
          method: "POST",
          path,
          name: b.name,
          headers: { "content-type": type, ...b.headers },
          body: new Uint8Array(b.body),
          mayAnswer200: true,
        });
      cases.push(
        {
          method: "POST",
          path,
          name: "wrong content type",
          headers: { "content-type": "text/plain" },
          body: "0000",
        },
        { method: "POST", path, name: "no content type", headers: {}, body: "0000" },
        {
          method: "POST",
          path,
          name: "JSON content type",
          headers: { "content-type": "application/json" },
          body: "{}",
        },
        {
          method: "POST",
          path,
          name: "garbage",
          headers: { "content-type": type },
          body: new Uint8Array(garbage),
          anonymous: true,
          mayAnswer200: service === "upload-pack" && p.endsWith("open"),
        },
      );
    }
    for (const [name, query, headers] of [
      ["empty service", "?service=", {}],
      ["upload-archive", "?service=git-upload-archive", {}],
      ["two services", "?service=git-upload-pack&service=git-receive-pack", {}],
      ["NUL in service", "?service=git-upload-pack%00", {}],
      ["bad percent-encoding", "?service=%zz%", {}],
      ["very long query", `?service=git-upload-pack&x=${"a".repeat(8000)}`, {}],
      ["no query", "", {}],
      ["odd Git-Protocol", "?service=git-upload-pack", { "git-protocol": "version=2:::=:=junk" }],
      [
        "huge Git-Protocol",
        "?service=git-upload-pack",
        { "git-protocol": `version=2:${"x=y:".repeat(1500)}` },
      ],
      ["unknown protocol version", "?service=git-upload-pack", { "git-protocol": "version=99" }],
    ] as Array<[string, string, Record<string, string>]>) {
      cases.push({ method: "GET", path: `/${p}/info/refs${query}`, name, headers, mayAnswer200: true });
      cases.push({
        method: "GET",
        path: `/${p}/info/refs${query}`,
        name,
        headers,
        anonymous: true,
        mayAnswer200: p.endsWith("open"),
      });
    }
    cases.push({
      method: "GET",
      path: `/${p}/info/refs?service=git-receive-pack`,
      name: "push refs",
      headers: {},
      anonymous: true,
    });
  }
  return cases;
}
