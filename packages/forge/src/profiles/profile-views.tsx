// Profile page sections: avatar, contribution graph (a year of days, light gray to green,
// each day labelled), activity feed with older/newer pages, and organizations.
import type { FeedItem } from "./activity.ts";

export function Avatar({ url, name, size = 96 }: { url: string; name: string; size?: number }) {
  return <img class="avatar" src={url} alt={`Avatar of ${name}`} width={size} height={size} loading="lazy" />;
}

const COLORS = ["#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const CELL = 11;
const STEP = 14;
const LEFT = 28;
const TOP = 16;

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The first day shown: the Sunday 52 weeks before the week holding `today` (UTC). */
export function graphStart(today: Date): Date {
  const t = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return new Date(t - (52 * 7 + new Date(t).getUTCDay()) * 86_400_000);
}

export function dayLabel(count: number, day: string): string {
  if (count === 0) return `No contributions on ${day}`;
  return `${count} contribution${count === 1 ? "" : "s"} on ${day}`;
}

function level(count: number, max: number): number {
  if (count <= 0) return 0;
  return Math.max(1, Math.min(4, Math.ceil((count / Math.max(max, 1)) * 4)));
}

export function ContributionGraph({ counts, today }: { counts: Map<string, number>; today: Date }) {
  const start = graphStart(today);
  const end = isoDay(today);
  const days: { day: string; col: number; row: number; count: number }[] = [];
  for (let i = 0; ; i++) {
    const d = new Date(start.getTime() + i * 86_400_000);
    const day = isoDay(d);
    if (day > end) break;
    days.push({ day, col: Math.floor(i / 7), row: i % 7, count: counts.get(day) ?? 0 });
  }
  const max = Math.max(0, ...days.map((d) => d.count));
  const total = days.reduce((n, d) => n + d.count, 0);
  const cols = (days.at(-1)?.col ?? 0) + 1;
  const width = LEFT + cols * STEP;
  const height = TOP + 7 * STEP;
  const monthLabels = days
    .filter((d) => d.row === 0 && Number(d.day.slice(8)) <= 7)
    .map((d) => ({ x: LEFT + d.col * STEP, label: MONTHS[Number(d.day.slice(5, 7)) - 1] }));
  return (
    <section class="contrib" aria-labelledby="contrib-title">
      <h2 id="contrib-title">Activity</h2>
      <p class="hint">
        {total} contribution{total === 1 ? "" : "s"} in the last year
      </p>
      {/* biome-ignore lint/a11y/useSemanticElements: a scrolling box inside the section, reachable by keyboard */}
      <div
        class="contrib-scroll"
        tabindex={0}
        role="region"
        aria-label="Contribution graph, scrolls sideways"
      >
        {/* biome-ignore lint/a11y/useSemanticElements: SVG has no fieldset; the group names the days */}
        <svg
          class="contrib-graph"
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          role="group"
          aria-label={`Contributions from ${days[0]?.day} to ${end}`}
        >
          {/* biome-ignore lint/a11y/noAriaHiddenOnFocusable: SVG text is not focusable; the axis labels are decoration */}
          <g aria-hidden="true">
            {monthLabels.map((m) => (
              <text x={m.x} y={10} class="contrib-label">
                {m.label}
              </text>
            ))}
            {[
              [1, "Mon"],
              [3, "Wed"],
              [5, "Fri"],
            ].map(([row, label]) => (
              <text x={0} y={TOP + Number(row) * STEP + 9} class="contrib-label">
                {label}
              </text>
            ))}
          </g>
          {days.map((d) => (
            // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG rect is not interactive; each day is an image with a label
            <rect
              x={LEFT + d.col * STEP}
              y={TOP + d.row * STEP}
              width={CELL}
              height={CELL}
              rx={2}
              fill={COLORS[level(d.count, max)]}
              data-date={d.day}
              data-count={d.count}
              role="img"
              aria-label={dayLabel(d.count, d.day)}
            >
              <title>{dayLabel(d.count, d.day)}</title>
            </rect>
          ))}
        </svg>
      </div>
      <p class="contrib-legend" aria-hidden="true">
        Less{" "}
        {COLORS.map((c) => (
          <span class="contrib-swatch" style={`background:${c}`} />
        ))}{" "}
        More
      </p>
    </section>
  );
}

function describe(item: FeedItem, withActor: boolean) {
  const what = describeAction(item, withActor ? (w) => w.toLowerCase() : (w) => w);
  if (!withActor) return what;
  if (item.kind === "remote")
    return (
      <>
        <span class="feed-actor">{item.actor}</span> {what}
      </>
    );
  return (
    <>
      <a href={`/${item.actor}`} class="feed-actor">
        {item.actor}
      </a>{" "}
      {what}
    </>
  );
}

function describeAction(item: FeedItem, verb: (w: string) => string) {
  const project = `${item.owner}/${item.project}`;
  const projectLink = <a href={`/${item.owner}/${item.project}`}>{project}</a>;
  switch (item.kind) {
    case "landing":
      return (
        <>
          {verb("Landed")}{" "}
          <a href={`/${item.owner}/${item.project}/sessions/${item.session}`}>{item.title}</a> in{" "}
          {projectLink} <span class="hint">#{item.position}</span>
        </>
      );
    case "push":
      return (
        <>
          {verb("Pushed")} to {projectLink}
          {item.title ? <span class="hint"> — {item.title}</span> : null}
          {item.landings && item.landings > 1 ? <span class="hint"> ({item.landings} landings)</span> : null}
        </>
      );
    case "star":
      return (
        <>
          {verb("Starred")} {projectLink}
        </>
      );
    case "remote":
      return (
        <>
          {verb("Posted")}{" "}
          <a href={item.url} rel="nofollow noopener noreferrer">
            {item.title}
          </a>{" "}
          <span class="hint">(from {item.owner})</span>
        </>
      );
    default:
      return (
        <>
          {verb("Created")} {projectLink}
        </>
      );
  }
}

export function ActivityFeed({
  items,
  page,
  older,
  base,
  title = "Recent activity",
  empty = "No activity yet.",
  withActor = false,
}: {
  items: FeedItem[];
  page: number;
  older: boolean;
  /** The page's path; pages link to base?page=N#activity. */
  base: string;
  title?: string;
  empty?: any;
  /** Name who did each thing (a feed of several accounts). */
  withActor?: boolean;
}) {
  return (
    <section class="feed" id="activity" aria-labelledby="feed-title">
      <h2 id="feed-title">{title}</h2>
      {items.length === 0 ? (
        <div class="empty">{empty}</div>
      ) : (
        <ol class="list feed-list">
          {items.map((i) => (
            <li class={`feed-item feed-${i.kind}`}>
              {describe(i, withActor)}
              <p>
                <time datetime={i.at.toISOString()}>
                  {i.at.toISOString().slice(0, 16).replace("T", " ")} UTC
                </time>
              </p>
            </li>
          ))}
        </ol>
      )}
      <nav class="pager" aria-label="Activity pages">
        {page > 0 ? (
          <a href={page === 1 ? `${base}#activity` : `${base}?page=${page - 1}#activity`} rel="prev">
            ← Newer
          </a>
        ) : null}{" "}
        {older ? (
          <a href={`${base}?page=${page + 1}#activity`} rel="next">
            Older →
          </a>
        ) : null}
      </nav>
    </section>
  );
}

export interface OrgCard {
  handle: string;
  name: string;
  avatarUrl: string;
  members: number;
}

export function OrganizationsSection({ orgs }: { orgs: OrgCard[] }) {
  return (
    <section class="orgs" aria-labelledby="orgs-title">
      <h2 id="orgs-title">Organizations</h2>
      {orgs.length === 0 ? (
        <p class="hint">Not a member of any organization yet.</p>
      ) : (
        <ul class="org-list">
          {orgs.map((o) => (
            <li>
              <a href={`/${o.handle}`} class="org-card">
                <Avatar url={o.avatarUrl} name={o.name} size={32} />
                <span>
                  <strong>{o.name}</strong>
                  <span class="hint">
                    {" "}
                    · {o.members} member{o.members === 1 ? "" : "s"}
                  </span>
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
