// oidc-provider (a dev dependency, used by the tests as a real OpenID Connect server) ships
// no types; the tests use a handful of its members.
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
