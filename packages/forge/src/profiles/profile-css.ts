// The profile pages' stylesheet (/assets/profile.css): header with avatar, link icons,
// organizations, the contribution graph (scrolls inside its own box on narrow screens), feed.
export const PROFILE_CSS = `
.grid.two > section { min-width: 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.avatar { border-radius: 50%; border: 1px solid var(--border); background: #f0f0f0;
  object-fit: cover; flex: none; }
.profile-header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; margin-bottom: 1rem; }
.profile-id { flex: 1 1 12rem; min-width: 0; }
.profile-id h1 { margin-top: 0; }
.profile-bio { font-size: 1.05rem; margin: 0.25rem 0; }
.profile-links { list-style: none; display: flex; flex-wrap: wrap; gap: 0.5rem; padding: 0; margin: 0.5rem 0; }
.profile-link { display: inline-flex; align-items: center; justify-content: center; width: 2.25rem;
  height: 2.25rem; border: 1px solid var(--border); border-radius: 50%; color: var(--fg); background: var(--card); }
.profile-link:hover, .profile-link:focus-visible { color: var(--accent); border-color: var(--accent); }
.org-list { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.5rem; }
.org-card { display: flex; gap: 0.5rem; align-items: center; text-decoration: none; }
.contrib h2 { margin-bottom: 0.1rem; }
.contrib .hint { margin-top: 0; }
.contrib-scroll { overflow-x: auto; max-width: 100%; border: 1px solid var(--border);
  border-radius: var(--radius); background: var(--card); padding: 0.5rem; }
.contrib-graph { display: block; }
.contrib-label { font-size: 9px; fill: var(--muted); font-family: var(--font); }
.contrib-legend { font-size: 0.8rem; color: var(--muted); display: flex; gap: 3px; align-items: center;
  justify-content: flex-end; }
.contrib-swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; }
.feed-list time { color: var(--muted); font-size: 0.85rem; }
.follow-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; margin: 0.5rem 0; }
.follow-bar button { min-height: 36px; padding: 0.25rem 0.9rem; }
.pager { display: flex; justify-content: space-between; gap: 1rem; margin-top: 0.5rem; }
`;
