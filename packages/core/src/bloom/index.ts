// Conflict detection for landings: Bloom filters, touched-path sets and positional rollups.
export * from "./blocks.ts";
export * from "./bloom-filter.ts";
export * from "./path-summary.ts";
export * from "./paths.ts";
export * from "./rollups.ts";
