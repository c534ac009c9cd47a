// The follower and following pages' stylesheet (/assets/follows.css): the account's header
// and one row per account (avatar, names, bio, button) that wraps at 320 px.
export const FOLLOWS_CSS = `
.follows-head { display: flex; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
.follows-head > div { min-width: 0; }
.follows-head h1 { margin: 0; overflow-wrap: anywhere; }
.follows-head .hint { margin: 0.1rem 0 0; }
.follow-list > li { display: flex; flex-wrap: wrap; gap: 0.5rem 0.75rem; align-items: center; }
.follow-who { display: flex; gap: 0.75rem; align-items: center; flex: 1 1 12rem; min-width: 0;
  text-decoration: none; color: inherit; }
.follow-who .names { min-width: 0; overflow-wrap: anywhere; }
.follow-who strong { color: var(--accent); }
.follow-list > li p.follow-bio { flex: 1 1 100%; margin: 0; overflow-wrap: anywhere; }
.follow-list form { flex: none; margin-left: auto; }
.follow-list button { min-height: 36px; padding: 0.25rem 0.9rem; }
`;
