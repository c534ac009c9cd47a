// Shared, dependency-light pieces imported by the forge and by mic.
export * from "./attestation.ts";
export * from "./bloom/index.ts";
export * from "./prompt-request.ts";
export * from "./prompt-template.ts";
export * from "./scopes.ts";
export * from "./secrets/index.ts";
export * from "./session-comments.ts";
export * from "./session-events.ts";
export * from "./text.ts";
