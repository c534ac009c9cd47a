// gRPC server reflection (grpc.reflection.v1 and v1alpha, the same protocol under two names)
// over the forge's own file descriptors and the reflection protos themselves, so
// `grpcurl -plaintext HOST:PORT list` and `describe` (and `buf curl --list-methods`) work for
// every service listed. Answers: the services served, a file by name, the file that declares a
// symbol (message, enum, service, method, field's message), always with the files it imports
// that this stream has not sent yet. No extensions are declared: extension queries answer
// NOT_FOUND for unknown types and an empty list for known ones.
import { create, createRegistry, type DescFile, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import * as v1 from "./gen/grpc/reflection/v1/reflection_pb.ts";
import * as v1alpha from "./gen/grpc/reflection/v1alpha/reflection_pb.ts";

const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;

/** The reflection services' own full names. */
export const REFLECTION_SERVICES = [v1.ServerReflection.typeName, v1alpha.ServerReflection.typeName];

type Request = Pick<v1.ServerReflectionRequest, "messageRequest">;
type Answer = v1.ServerReflectionResponse["messageResponse"];

function withDependencies(files: DescFile[]): DescFile[] {
  const out = new Map<string, DescFile>();
  const visit = (f: DescFile) => {
    if (out.has(f.proto.name)) return;
    out.set(f.proto.name, f);
    f.dependencies.forEach(visit);
  };
  files.forEach(visit);
  return [...out.values()];
}

/** A reflection answerer for the given files (and the services named), one per stream. */
export function reflector(files: DescFile[], services: string[]) {
  const all = withDependencies(files);
  const byName = new Map(all.map((f) => [f.proto.name, f]));
  const registry = createRegistry(...all);
  const fileOfSymbol = (symbol: string): DescFile | undefined => {
    const d = registry.get(symbol);
    if (d) return d.file;
    // A method (pkg.Service.Method) or a field (pkg.Message.field): its parent declares it.
    const parent = registry.get(symbol.slice(0, Math.max(0, symbol.lastIndexOf("."))));
    if (parent?.kind === "service")
      return parent.methods.some((m) => `${parent.typeName}.${m.name}` === symbol) ? parent.file : undefined;
    if (parent?.kind === "message")
      return parent.fields.some((f) => `${parent.typeName}.${f.name}` === symbol) ? parent.file : undefined;
    return undefined;
  };
  return () => {
    const sent = new Set<string>();
    const filesAnswer = (file: DescFile): Answer => {
      const out: Uint8Array[] = [];
      const visit = (f: DescFile, first: boolean) => {
        if (!first && sent.has(f.proto.name)) return;
        sent.add(f.proto.name);
        out.push(toBinary(FileDescriptorProtoSchema, f.proto));
        for (const d of f.dependencies) visit(d, false);
      };
      visit(file, true);
      return {
        case: "fileDescriptorResponse",
        value: create(v1.FileDescriptorResponseSchema, { fileDescriptorProto: out }),
      };
    };
    const error = (code: number, message: string): Answer => ({
      case: "errorResponse",
      value: create(v1.ErrorResponseSchema, { errorCode: code, errorMessage: message }),
    });
    return (req: Request): Answer => {
      const m = req.messageRequest;
      switch (m.case) {
        case "listServices":
          return {
            case: "listServicesResponse",
            value: create(v1.ListServiceResponseSchema, { service: services.map((name) => ({ name })) }),
          };
        case "fileByFilename": {
          const f = byName.get(m.value);
          return f ? filesAnswer(f) : error(NOT_FOUND, `File not found: ${m.value}`);
        }
        case "fileContainingSymbol": {
          const f = fileOfSymbol(m.value);
          return f ? filesAnswer(f) : error(NOT_FOUND, `Symbol not found: ${m.value}`);
        }
        case "fileContainingExtension":
          return error(
            NOT_FOUND,
            `Extension not found: ${m.value.containingType}(${m.value.extensionNumber})`,
          );
        case "allExtensionNumbersOfType":
          return registry.getMessage(m.value)
            ? {
                case: "allExtensionNumbersResponse",
                value: create(v1.ExtensionNumberResponseSchema, {
                  baseTypeName: m.value,
                  extensionNumber: [],
                }),
              }
            : error(NOT_FOUND, `Type not found: ${m.value}`);
        default:
          return error(INVALID_ARGUMENT, "Unknown reflection request");
      }
    };
  };
}

/** Serves both versions of the reflection service for `files` on the router. */
export function serveReflection(router: ConnectRouter, files: DescFile[], services: string[]) {
  // Its own files too: clients describe every service listed (buf curl --list-methods does).
  const own = [v1.file_grpc_reflection_v1_reflection, v1alpha.file_grpc_reflection_v1alpha_reflection];
  const start = reflector([...files, ...own], services);
  router.service(v1.ServerReflection, {
    async *serverReflectionInfo(requests) {
      const answer = start();
      for await (const req of requests)
        yield { validHost: req.host, originalRequest: req, messageResponse: answer(req) };
    },
  });
  router.service(v1alpha.ServerReflection, {
    async *serverReflectionInfo(requests) {
      const answer = start();
      for await (const req of requests) {
        // The two versions' messages are identical field for field; only their names differ.
        const messageResponse = answer(
          req as unknown as Request,
        ) as unknown as v1alpha.ServerReflectionResponse["messageResponse"];
        yield { validHost: req.host, originalRequest: req, messageResponse };
      }
    },
  });
}
