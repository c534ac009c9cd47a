// Small pieces of project UI reused across pages.
import type { ProjectWithOwner } from "./projects-service.ts";

export function ProjectList({ projects, empty }: { projects: ProjectWithOwner[]; empty: any }) {
  if (projects.length === 0) return <div class="empty">{empty}</div>;
  return (
    <ul class="list">
      {projects.map((p) => (
        <li>
          <a href={`/${p.owner_handle}/${p.handle}`}>
            <strong>
              {p.owner_handle}/{p.handle}
            </strong>
          </a>{" "}
          {p.visibility === "private" ? <span class="badge">private</span> : null}
          {p.description ? <p>{p.description}</p> : null}
        </li>
      ))}
    </ul>
  );
}

export function VisibilityChoice({ value }: { value: string }) {
  return (
    <fieldset>
      <legend>Visibility</legend>
      <label class="choice">
        <input type="radio" name="visibility" value="public" checked={value !== "private"} /> Public — anyone
        can see it
      </label>
      <label class="choice">
        <input type="radio" name="visibility" value="private" checked={value === "private"} /> Private — only
        you and the members of its organization
      </label>
    </fieldset>
  );
}

/** The "Owner" choice of new-project forms: the user and the organizations they belong to. */
export function OwnerSelect({ owners, value }: { owners: string[]; value?: string }) {
  return (
    <>
      <label for="owner">Owner</label>
      <select id="owner" name="owner">
        {owners.map((o) => (
          <option value={o} selected={value === o}>
            {o}
          </option>
        ))}
      </select>
    </>
  );
}
