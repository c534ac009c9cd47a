// Server reflection against a running forge over h2c, in both versions (grpc.reflection.v1
// and v1alpha): through Connect's gRPC client with the reflection protos, the services listed,
// files fetched by symbol (service, method, message) and by name with their imports, unknown
// names NOT_FOUND, and the descriptors sent rebuilt into a registry that matches the
// generated code; then through buf curl (an independent gRPC client in Go), which lists the
// services and methods and calls the session service knowing only what reflection told it.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import * as v1 from "./gen/grpc/reflection/v1/reflection_pb.ts";
import * as v1alpha from "./gen/grpc/reflection/v1alpha/reflection_pb.ts";
import { SessionSchema, SessionService } from "./gen/micelio/sessions/v1/sessions_pb.ts";

const run = promisify(execFile);
const buf = fileURLToPath(new URL("../../../../node_modules/.bin/buf", import.meta.url));
const SESSIONS_FILE = "micelio/sessions/v1/sessions.proto";
const NOT_FOUND = 5;

type Request = v1.ServerReflectionRequest["messageRequest"];
type Answer = v1.ServerReflectionResponse["messageResponse"];

let f: TestForge;
let cache: string;
beforeAll(async () => {
  f = await startTestForge();
  cache = mkdtempSync(join(tmpdir(), "micelio-buf-cache-"));
  const { token } = await userWithToken(f.url, "ada");
  const r = await api(f.url, "POST", "/api/v1/projects", {
    token,
    json: { handle: "app", visibility: "public" },
  });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await f?.close();
  rmSync(cache, { recursive: true, force: true });
});

const versions = [
  ["grpc.reflection.v1", v1.ServerReflection, "grpc-v1"],
  ["grpc.reflection.v1alpha", v1alpha.ServerReflection, "grpc-v1alpha"],
] as const;

describe.each(versions)("%s", (name, service, bufProtocol) => {
  /** Sends the requests on one reflection stream; the answers in order. */
  async function ask(...requests: Request[]): Promise<Answer[]> {
    // The two versions' messages are the same field for field; only their names differ.
    const client = createClient(
      service as unknown as typeof v1.ServerReflection,
      createGrpcTransport({ baseUrl: f.url }),
    );
    async function* send() {
      for (const messageRequest of requests) yield { host: "forge", messageRequest };
    }
    const answers: Answer[] = [];
    for await (const res of client.serverReflectionInfo(send())) {
      expect(res.validHost).toBe("forge");
      expect(res.originalRequest?.messageRequest).toEqual(requests[answers.length]);
      answers.push(res.messageResponse);
    }
    expect(answers).toHaveLength(requests.length);
    return answers;
  }

  const files = (a: Answer) => {
    if (a.case !== "fileDescriptorResponse") throw new Error(`expected files, got ${a.case}`);
    return a.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
  };

  it("lists the session service and both reflection services", async () => {
    const [a] = await ask({ case: "listServices", value: "*" });
    expect(a.case).toBe("listServicesResponse");
    const names = a.case === "listServicesResponse" ? a.value.service.map((s) => s.name) : [];
    expect(names.sort()).toEqual(
      [
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
        SessionService.typeName,
      ].sort(),
    );
    expect(names).toContain(`${name}.ServerReflection`);
  });

  it("sends the file declaring a symbol, with its imports once per stream", async () => {
    const [service, method, message] = await ask(
      { case: "fileContainingSymbol", value: "micelio.sessions.v1.SessionService" },
      { case: "fileContainingSymbol", value: "micelio.sessions.v1.SessionService.LandSession" },
      { case: "fileContainingSymbol", value: "micelio.sessions.v1.LandConflict" },
    );
    const sent = files(service);
    expect(sent.map((p) => p.name).sort()).toEqual(
      ["google/protobuf/struct.proto", "google/protobuf/timestamp.proto", SESSIONS_FILE].sort(),
    );
    expect(sent[0].name).toBe(SESSIONS_FILE);
    // Later answers carry the file itself; its imports were sent already on this stream.
    expect(files(method).map((p) => p.name)).toEqual([SESSIONS_FILE]);
    expect(files(message).map((p) => p.name)).toEqual([SESSIONS_FILE]);
    // What was sent is a complete schema, the one the generated code was made from.
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: [...sent].reverse() }));
    const svc = registry.getService(SessionService.typeName);
    expect(svc?.methods.map((m) => [m.name, m.methodKind])).toEqual(
      SessionService.methods.map((m) => [m.name, m.methodKind]),
    );
    const session = registry.getMessage(SessionSchema.typeName);
    expect(session?.fields.map((x) => [x.name, x.number, x.fieldKind])).toEqual(
      SessionSchema.fields.map((x) => [x.name, x.number, x.fieldKind]),
    );
  });

  it("sends files by name", async () => {
    const [sessions, timestamp] = await ask(
      { case: "fileByFilename", value: SESSIONS_FILE },
      { case: "fileByFilename", value: "google/protobuf/timestamp.proto" },
    );
    expect(files(sessions)[0]).toMatchObject({ name: SESSIONS_FILE, package: "micelio.sessions.v1" });
    expect(files(timestamp).map((p) => [p.name, p.package])).toEqual([
      ["google/protobuf/timestamp.proto", "google.protobuf"],
    ]);
  });

  it("describes the reflection services it lists", async () => {
    const answers = await ask(
      ...versions.map(
        ([pkg]): Request => ({ case: "fileContainingSymbol", value: `${pkg}.ServerReflection` }),
      ),
    );
    expect(answers.map((a) => files(a)[0].name)).toEqual([
      "grpc/reflection/v1/reflection.proto",
      "grpc/reflection/v1alpha/reflection.proto",
    ]);
  });

  it("answers NOT_FOUND for unknown symbols, files and extensions, and keeps the stream", async () => {
    const answers = await ask(
      { case: "fileContainingSymbol", value: "micelio.sessions.v1.Nope" },
      { case: "fileContainingSymbol", value: "micelio.sessions.v1.SessionService.Nope" },
      { case: "fileByFilename", value: "micelio/nope.proto" },
      { case: "allExtensionNumbersOfType", value: "micelio.sessions.v1.Nope" },
      { case: "fileContainingSymbol", value: "micelio.sessions.v1.Session" },
    );
    for (const a of answers.slice(0, 4)) {
      expect(a.case).toBe("errorResponse");
      expect(a.case === "errorResponse" && a.value.errorCode).toBe(NOT_FOUND);
    }
    expect(files(answers[4])[0].name).toBe(SESSIONS_FILE);
  });

  it("is enough for buf curl to list, describe and call the service", async () => {
    const env = { ...process.env, BUF_CACHE_DIR: cache };
    const curl = (...args: string[]) =>
      run(buf, ["curl", "--protocol", "grpc", "--reflect-protocol", bufProtocol, ...args], { env });
    const services = (await curl("--list-services", f.url)).stdout.trim().split("\n");
    expect(services).toContain(SessionService.typeName);
    const methods = (await curl("--list-methods", f.url)).stdout.trim().split("\n");
    expect(methods).toContain(`${SessionService.typeName}/LandSession`);
    expect(methods).toContain(`${SessionService.typeName}/StreamEvents`);
    const listed = await curl(
      "--data",
      JSON.stringify({ project: { owner: "ada", project: "app" }, limit: 5 }),
      `${f.url}/${SessionService.typeName}/ListSessions`,
    );
    expect(JSON.parse(listed.stdout)).toEqual({});
  });
});
