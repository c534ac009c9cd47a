// The lockfiles the dependency audit reads, by file name, each with its parser.
import { parseGemfileLock } from "./gemfile-lock.ts";
import { parseGoSum } from "./go-sum.ts";
import type { LockedPackage } from "./locked.ts";
import { parseNpmLock } from "./npm-lock.ts";
import { parsePnpmLock } from "./pnpm-lock.ts";
import { parseRequirements } from "./requirements.ts";
import { parseCargoLock, parsePoetryLock } from "./toml-packages.ts";
import { parseYarnLock } from "./yarn-lock.ts";

export type LockfileParser = (text: string) => { packages: LockedPackage[]; truncated: boolean };

export const LOCKFILES: Record<string, LockfileParser> = {
  "package-lock.json": parseNpmLock,
  "npm-shrinkwrap.json": parseNpmLock,
  "yarn.lock": parseYarnLock,
  "pnpm-lock.yaml": parsePnpmLock,
  "Cargo.lock": parseCargoLock,
  "go.sum": parseGoSum,
  "poetry.lock": parsePoetryLock,
  "requirements.txt": parseRequirements,
  "Gemfile.lock": parseGemfileLock,
};

export { type LockedPackage, LockfileError, MAX_PACKAGES } from "./locked.ts";
