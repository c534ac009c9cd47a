// Shared, dependency-light pieces imported by the forge and by mic.
export * from "./scopes.ts";
export * from "./text.ts";
