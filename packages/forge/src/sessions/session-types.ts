// Row types for sessions and landings as the services see them.
import type { Selectable } from "kysely";
import type { LandingsTable, SessionsTable } from "../db/schema.ts";

export type SessionRow = Selectable<SessionsTable>;
export type LandingRow = Selectable<LandingsTable>;
