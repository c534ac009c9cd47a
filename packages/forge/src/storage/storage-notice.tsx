// The notice on a project's page, for its owner only (the user, or the organization's owners):
// the owner's bucket is failing, so the project's artifacts are kept in the instance's store
// meanwhile, with the reason and a link to the storage settings. Nothing otherwise.
import type { Viewer } from "../accounts/viewer.ts";
import type { Forge } from "../http/context.ts";
import { storageNotice } from "./store-for.ts";

export async function StorageNotice({
  forge,
  viewer,
  project,
}: {
  forge: Forge;
  viewer: Viewer;
  project: { owner_id: string; owner_handle: string };
}) {
  const me = viewer.user?.id;
  if (!me) return null;
  const notice = await storageNotice(forge, project.owner_id, me);
  if (!notice) return null;
  const own = me === project.owner_id;
  const settings = own ? "/settings/storage" : `/orgs/${project.owner_handle}/storage`;
  return (
    <div class="alert" role="alert" id="storage-notice">
      {notice} <a href={settings}>Storage settings</a>
    </div>
  );
}
