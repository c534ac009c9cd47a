// Types of pglite-create.mjs.
import type { PGlite } from "@electric-sql/pglite";

export function createPglite(opts: { dir?: string; loadDataDir?: Blob; settings: string[] }): Promise<PGlite>;
export function initPglite(dir: string, settings: string[]): Promise<void>;
