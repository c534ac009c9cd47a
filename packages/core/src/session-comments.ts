// Review comments on sessions, shared by the forge (reviews/), MCP and mic: the kinds a
// comment can be, and the cap on its markdown body and suggested prompt.
export const COMMENT_KINDS = ["comment", "prompt-suggestion", "change-request"] as const;
export type CommentKind = (typeof COMMENT_KINDS)[number];
export const MAX_COMMENT_CHARS = 20_000;
