// The forge's gRPC, gRPC-Web and Connect endpoint as one Node request handler: the session
// service and server reflection, behind the auth interceptor; any other path goes to
// `fallback` (the forge's HTTP application), so one handler serves HTTP/1.1 and HTTP/2.
import { createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Forge } from "../http/context.ts";
import * as sessionsV1 from "./gen/micelio/sessions/v1/sessions_pb.ts";
import { authInterceptor, type MethodAccess, PEER } from "./grpc-auth.ts";
import type { AnyHandler } from "./one-port-server.ts";
import { REFLECTION_SERVICES, serveReflection } from "./reflection.ts";
import { SESSION_ACCESS, sessionServiceImpl } from "./session-service.ts";

/** The largest message the forge reads or writes (gRPC's customary default). */
export const GRPC_MAX_BYTES = 4 * 1024 * 1024;
/** The longest deadline a client may ask for (a StreamEvents stream ends sooner anyway). */
export const GRPC_MAX_TIMEOUT_MS = 10 * 60_000;

/** Every method's declared access by "package.Service/Method". */
export function methodAccess(): MethodAccess {
  const access: MethodAccess = {};
  const { SessionService } = sessionsV1;
  for (const m of SessionService.methods)
    access[`${SessionService.typeName}/${m.name}`] =
      SESSION_ACCESS[m.localName as keyof typeof SESSION_ACCESS];
  for (const name of REFLECTION_SERVICES) access[`${name}/ServerReflectionInfo`] = "public";
  return access;
}

type NodeHandlerFn = NonNullable<Parameters<typeof connectNodeAdapter>[0]["fallback"]>;

export function grpcHandler(forge: Forge, opts: { fallback: AnyHandler; shutdown: AbortSignal }): AnyHandler {
  const handler = connectNodeAdapter({
    routes(router) {
      router.service(sessionsV1.SessionService, sessionServiceImpl(forge));
      serveReflection(
        router,
        [sessionsV1.file_micelio_sessions_v1_sessions],
        [sessionsV1.SessionService.typeName, ...REFLECTION_SERVICES],
      );
    },
    fallback: opts.fallback as NodeHandlerFn, // Node's request and response, typed more narrowly
    interceptors: [authInterceptor(forge, methodAccess())],
    contextValues: (req) => createContextValues().set(PEER, req.socket?.remoteAddress ?? ""),
    readMaxBytes: GRPC_MAX_BYTES,
    writeMaxBytes: GRPC_MAX_BYTES,
    maxTimeoutMs: GRPC_MAX_TIMEOUT_MS,
    shutdownSignal: opts.shutdown,
  });
  return handler as AnyHandler;
}
