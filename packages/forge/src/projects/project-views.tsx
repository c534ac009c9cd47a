// Small pieces of project UI reused across pages.
import { TimeAgo } from "../browse/browse-views.tsx";
import type { ProjectWithOwner } from "./projects-service.ts";

/**
 * A list of projects with their descriptions; `details` adds the display name and the time of
 * the last update (search results). With `empty`, an empty list shows that instead.
 */
export function ProjectList(props: { projects: ProjectWithOwner[]; empty?: any; details?: boolean }) {
  if (props.projects.length === 0 && props.empty !== undefined) return <div class="empty">{props.empty}</div>;
  return (
    <ul class={props.details ? "list search-results" : "list"}>
      {props.projects.map((p) => (
        <li>
          <a href={`/${p.owner_handle}/${p.handle}`}>
            <strong>
              {p.owner_handle}/{p.handle}
            </strong>
          </a>{" "}
          {p.visibility === "private" ? <span class="badge">private</span> : null}
          {props.details && p.name && p.name !== p.handle ? <span class="hint"> {p.name}</span> : null}
          {p.description ? <p>{p.description}</p> : null}
          {props.details ? (
            <p class="hint">
              Updated <TimeAgo date={p.updated_at} />
            </p>
          ) : null}
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
