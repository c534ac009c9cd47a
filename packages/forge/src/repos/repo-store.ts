// Where projects' bare repositories live on disk ($DATA/repos/<project id>.git; ids, not
// handles, so renames never move files) and how they are created and removed.
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { git } from "./git.ts";
import { forgetRepo } from "./git-layer/git-repos.ts";

export interface RepoStore {
  root: string;
  dir(projectId: string): string;
  create(projectId: string): Promise<string>;
  remove(projectId: string): Promise<void>;
  exists(projectId: string): boolean;
}

const REPO_CONFIG: Array<[string, string]> = [
  ["receive.fsckObjects", "true"],
  ["uploadpack.allowFilter", "true"],
  ["repack.writeBitmaps", "true"],
  ["pack.writeBitmapHashCache", "true"],
  ["core.logAllRefUpdates", "true"],
  ["gc.auto", "0"],
];

export function createRepoStore(dataDir: string): RepoStore {
  const root = join(dataDir, "repos");
  mkdirSync(root, { recursive: true });
  const dir = (projectId: string) => {
    if (!/^[0-9A-Z]{26}$/.test(projectId)) throw new Error(`not a project id: ${projectId}`);
    return join(root, `${projectId}.git`);
  };
  return {
    root,
    dir,
    exists: (id) => existsSync(dir(id)),
    async create(projectId) {
      const path = dir(projectId);
      await git(["init", "--quiet", "--bare", "--initial-branch=main", "--", path]);
      for (const [k, v] of REPO_CONFIG) await git(["config", "--", k, v], { cwd: path });
      return path;
    },
    async remove(projectId) {
      const path = dir(projectId);
      forgetRepo(path); // the git layer's processes and cached refs and objects
      if (!existsSync(path)) return;
      // Move aside first so a half-deleted repository is never served.
      const trash = join(root, `.deleted-${projectId}-${Date.now()}`);
      renameSync(path, trash);
      forgetRepo(path);
      rmSync(trash, { recursive: true, force: true });
    },
  };
}
