// The home page's stylesheet (/assets/home.css): project cards in a grid that is one column
// at 320 px and the feed beside the user's projects.
export const HOME_CSS = `
.popular-grid { list-style: none; padding: 0; margin: 0.5rem 0; display: grid; gap: 0.75rem;
  grid-template-columns: repeat(auto-fill, minmax(min(100%, 16rem), 1fr)); }
.project-card { display: flex; gap: 0.75rem; align-items: flex-start; min-width: 0;
  background: var(--card); border: 1px solid var(--border); border-radius: var(--radius); padding: 0.75rem; }
.project-card .thumb { border-radius: 50%; border: 1px solid var(--border); flex: none; object-fit: cover; }
.project-card .body { min-width: 0; flex: 1 1 auto; }
.project-card h3 { font-size: 1rem; margin: 0; }
.project-card p { margin: 0.25rem 0 0; }
.project-card .stats { color: var(--muted); font-size: 0.85rem; }
.grid.two > section, .grid.two > aside { min-width: 0; }
.feed-list time { color: var(--muted); font-size: 0.85rem; }
.pager { display: flex; justify-content: space-between; gap: 1rem; margin-top: 0.5rem; }
`;
