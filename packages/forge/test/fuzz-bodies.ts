// Bad request bodies for the write-route fuzz test (fuzz-write-routes.test.ts): a fixed
// table of malformed envelopes every write route must refuse, and, for routes with a JSON
// body schema, bodies derived from the schema that are wrong in one field each (with extra
// keys, prototype-pollution keys and random JSON from fast-check around it). Every body
// built here is invalid by construction, so a 2xx answer is as much a defect as a 5xx.
import { gzipSync } from "node:zlib";
import fc from "fast-check";

export interface FuzzCase {
  name: string;
  headers: Record<string, string>;
  body?: Uint8Array | string | ReadableStream<Uint8Array>;
}

type Schema = Record<string, any>;

/** The API's body cap (api/api.ts); the oversized cases go just over it. */
export const API_BODY_CAP = 1024 * 1024;
const JSON_TYPE = { "content-type": "application/json" };
const DEEP = 10_000;

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

/** A body sent chunked (no Content-Length), so only counting what arrives can cap it. */
function chunked(total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  return new ReadableStream({
    pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode('{"pad":'));
      if (sent >= total) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

/**
 * Malformed envelopes: bodies no route may accept, whatever it reads. `hasSchema` adds the
 * cases that are only wrong for a route that expects a JSON body (an empty body, a bare
 * JSON value); a route that declares no body takes those as its normal request, and so does
 * one whose fields are all optional for an empty body sent without a type.
 */
export function envelopeCases(schema: Schema | undefined, doc: Schema): FuzzCase[] {
  const s = deref(schema, doc);
  const cases: FuzzCase[] = [
    { name: "invalid JSON", headers: JSON_TYPE, body: "{not: json," },
    { name: "truncated JSON", headers: JSON_TYPE, body: '{"name": "trunc' },
    { name: "JSON with trailing garbage", headers: JSON_TYPE, body: '{"a":1} trailing' },
    { name: "text/plain body", headers: { "content-type": "text/plain" }, body: '{"a":1}' },
    { name: "form body", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1&b=2" },
    {
      name: "multipart body",
      headers: { "content-type": "multipart/form-data; boundary=x" },
      body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
    },
    { name: "no content type", headers: {}, body: '{"a":1}' },
    { name: "deeply nested arrays", headers: JSON_TYPE, body: `${"[".repeat(DEEP)}${"]".repeat(DEEP)}` },
    {
      name: "deeply nested objects",
      headers: JSON_TYPE,
      body: `${'{"a":'.repeat(DEEP)}1${"}".repeat(DEEP)}`,
    },
    { name: "unclosed deep nesting", headers: JSON_TYPE, body: "[".repeat(DEEP) },
    {
      name: "oversized body (Content-Length)",
      headers: JSON_TYPE,
      body: `{"pad":"${"x".repeat(API_BODY_CAP)}"}`,
    },
    { name: "oversized body (chunked)", headers: JSON_TYPE, body: chunked(API_BODY_CAP + 128 * 1024) },
    { name: "invalid UTF-8 (0xff)", headers: JSON_TYPE, body: bytes('{"name":"', [0xff, 0xfe], '"}') },
    { name: "invalid UTF-8 (overlong /)", headers: JSON_TYPE, body: bytes('{"name":"', [0xc0, 0xaf], '"}') },
    {
      name: "invalid UTF-8 (encoded surrogate)",
      headers: JSON_TYPE,
      body: bytes('{"name":"', [0xed, 0xa0, 0x80], '"}'),
    },
    {
      name: "invalid UTF-8 (truncated sequence)",
      headers: JSON_TYPE,
      body: bytes('{"name":"', [0xe2, 0x82]),
    },
    { name: "UTF-16 body", headers: JSON_TYPE, body: new Uint8Array(Buffer.from('{"name":"x"}', "utf16le")) },
    {
      name: "Content-Encoding gzip, body not gzip",
      headers: { ...JSON_TYPE, "content-encoding": "gzip" },
      body: '{"name":"x"}',
    },
    {
      name: "Content-Encoding gzip, truncated gzip",
      headers: { ...JSON_TYPE, "content-encoding": "gzip" },
      body: new Uint8Array(gzipSync('{"name":"x"}').subarray(0, 12)),
    },
    {
      name: "Content-Encoding br (unsupported)",
      headers: { ...JSON_TYPE, "content-encoding": "br" },
      body: '{"name":"x"}',
    },
    { name: "NUL bytes", headers: JSON_TYPE, body: bytes([0, 0, 0, 0]) },
  ];
  if (s?.required?.length) cases.push({ name: "empty body, no type", headers: {} });
  if (s)
    cases.push(
      { name: "empty body, JSON type", headers: JSON_TYPE, body: "" },
      { name: "JSON null", headers: JSON_TYPE, body: "null" },
      { name: "JSON array", headers: JSON_TYPE, body: "[]" },
      { name: "JSON string", headers: JSON_TYPE, body: '"hello"' },
      { name: "JSON number", headers: JSON_TYPE, body: "1e400" },
      { name: "JSON true", headers: JSON_TYPE, body: "true" },
      { name: "array of objects", headers: JSON_TYPE, body: "[{}]" },
    );
  return cases;
}

/** Resolves `$ref`s into the document's components. */
export function deref(schema: Schema | undefined, doc: Schema): Schema | undefined {
  let s = schema;
  for (let i = 0; s?.$ref && i < 10; i++)
    s = doc.components?.schemas?.[String(s.$ref).replace("#/components/schemas/", "")];
  return s;
}

/** The JSON types a schema admits, or null when it admits anything (z.unknown, a union we cannot read). */
function typesOf(s: Schema | undefined, doc: Schema): Set<string> | null {
  const r = deref(s, doc);
  if (!r) return null;
  const alts = r.anyOf ?? r.oneOf;
  if (alts) {
    const all = new Set<string>();
    for (const a of alts) {
      const t = typesOf(a, doc);
      if (!t) return null;
      for (const x of t) all.add(x);
    }
    return all;
  }
  if (r.enum) return new Set(r.enum.map((v: unknown) => (v === null ? "null" : typeof v)));
  if (r.const !== undefined) return new Set([r.const === null ? "null" : typeof r.const]);
  if (!r.type) return null;
  const types = new Set<string>(Array.isArray(r.type) ? r.type : [r.type]);
  if (types.has("integer")) types.add("number");
  if (r.nullable) types.add("null");
  return types;
}

const jsonType = (v: unknown) =>
  v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "object" ? "object" : typeof v;

/** Values of a type the field does not take (or, for strings, longer than it allows). */
function wrongValues(field: Schema, doc: Schema): Array<{ label: string; value: unknown }> {
  const types = typesOf(field, doc);
  if (!types) return [];
  const pool: Array<{ label: string; value: unknown }> = [
    types.has("number") ? { label: "string", value: "not-a-number" } : { label: "number", value: 12345 },
    { label: "boolean", value: true },
    { label: "null", value: null },
    { label: "array", value: [1, "two", null] },
    { label: "object", value: { nested: { deeper: true } } },
  ];
  const out = pool.filter((p) => !types.has(jsonType(p.value)));
  const r = deref(field, doc) ?? {};
  const enumValues: unknown[] | undefined = r.enum;
  if (types.has("string") && enumValues)
    out.push({ label: "string outside enum", value: "zz-not-an-option" });
  if (types.has("string") && typeof r.maxLength === "number")
    out.push({ label: "huge string", value: "x".repeat(Math.min(r.maxLength + 1, 600_000)) });
  if (types.has("string") && (r.minLength ?? 0) > 0) out.push({ label: "empty string", value: "" });
  if (types.has("integer") && !types.has("string")) out.push({ label: "float", value: 1.5 });
  return out;
}

const PROTO_KEYS =
  '"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}}';

/**
 * Bodies for a route whose request body is the JSON `schema`: for each typed field, each
 * value of a wrong type, alone, with unknown extra fields, and with prototype-pollution
 * keys; then `runs` bodies of random JSON (fast-check, fixed `seed`) with one wrong field.
 */
export function schemaCases(schema: Schema | undefined, doc: Schema, seed: number, runs: number): FuzzCase[] {
  const s = deref(schema, doc);
  const props: Record<string, Schema> = s?.properties ?? {};
  const wrong: Array<{ field: string; label: string; value: unknown }> = [];
  for (const [field, fs] of Object.entries(props))
    for (const w of wrongValues(fs, doc)) wrong.push({ field, ...w });
  const cases: FuzzCase[] = [];
  wrong.forEach(({ field, label, value }, i) => {
    const v = JSON.stringify(value);
    const decorations = ["", '"zz_unknown_field":[1,{"x":null}],', `${PROTO_KEYS},`];
    const deco = decorations[i % decorations.length];
    cases.push({
      name: `${field}: ${label}${deco ? (deco.includes("proto") ? " + __proto__ keys" : " + unknown field") : ""}`,
      headers: JSON_TYPE,
      body: `{${deco}${JSON.stringify(field)}:${v}}`,
    });
  });
  // Prototype keys on their own, and deep nesting inside a field.
  if (wrong[0]) {
    const { field, value } = wrong[0];
    cases.push(
      {
        name: "only __proto__ keys + wrong field",
        headers: JSON_TYPE,
        body: `{${PROTO_KEYS},"${field}":${JSON.stringify(value)}}`,
      },
      {
        name: `${field}: deeply nested`,
        headers: JSON_TYPE,
        body: `{"${field}":${"[".repeat(DEEP)}${"]".repeat(DEEP)}}`,
      },
    );
    const random = fc.sample(fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 4 })), {
      seed,
      numRuns: runs,
    });
    random.forEach((extra, i) => {
      const w = wrong[i % wrong.length];
      // The wrong field goes last, so a random key of the same name cannot override it.
      const rest = Object.fromEntries(Object.entries(extra).filter(([k]) => k !== w.field));
      const head = JSON.stringify(rest).slice(0, -1);
      cases.push({
        name: `random JSON #${i} + ${w.field}: ${w.label}`,
        headers: JSON_TYPE,
        body: `${head}${head.length > 1 ? "," : ""}${JSON.stringify(w.field)}:${JSON.stringify(w.value)}}`,
      });
    });
  }
  return cases;
}
