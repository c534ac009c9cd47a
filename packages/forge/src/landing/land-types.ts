// Shapes shared by the landing modules.
export interface ConflictDetail {
  path: string;
  position: number;
  session_id: string | null;
  goal: string | null;
  author: string | null;
  agent: string | null;
}

export interface LandOutcome {
  position: number;
  commit: string;
  /** The session's row as the epoch's transaction left it (when this process recorded it). */
  session?: Record<string, unknown>;
}

export interface PendingLanding {
  sessionId: string | null;
  goal: string;
  authorHandle: string;
  /** Who landed it, when known: the caller of land, or the pusher. */
  landedBy?: string;
  commit: string;
  parent: string | null;
  paths: string[];
  linesAdded: number;
  linesRemoved: number;
  /** For implicit sessions made from plain pushes. */
  implicit?: { authorId: string | null; origin: "human" };
}
