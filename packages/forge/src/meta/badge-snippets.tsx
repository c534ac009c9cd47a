// The "Badges" part of a project page: a preview of each badge with Markdown and HTML to
// copy into a README. Private projects' badges are only visible to people with access.
import type { ProjectWithOwner } from "../projects/projects-service.ts";
import { BADGE_KINDS } from "./badges.ts";

export function BadgeSnippets({ p, origin }: { p: ProjectWithOwner; origin: string }) {
  const page = `${origin}/${p.owner_handle}/${p.handle}`;
  return (
    <details class="card badge-snippets">
      <summary>Badges</summary>
      {p.visibility === "private" ? (
        <p class="hint">This project is private: its badges show only to people who can see the project.</p>
      ) : null}
      {BADGE_KINDS.map((kind) => {
        const src = `${page}/badge/${kind}.svg`;
        const alt = kind.replace("-", " ");
        return (
          <section>
            <h3>
              <img src={`/${p.owner_handle}/${p.handle}/badge/${kind}.svg`} alt={alt} height="20" />
            </h3>
            <p class="hint">Markdown</p>
            <pre>
              <code>{`[![${alt}](${src})](${page})`}</code>
            </pre>
            <p class="hint">HTML</p>
            <pre>
              <code>{`<a href="${page}"><img alt="${alt}" src="${src}"></a>`}</code>
            </pre>
          </section>
        );
      })}
    </details>
  );
}
