// A report's weekly series as CSV (RFC 4180): a header of the series' columns, then one line
// per week with exactly the numbers of the JSON's `series` (empty where the JSON has null).
import { SERIES_COLUMNS, type SeriesRow } from "./quality-report.ts";

const cell = (v: string | number | null) => {
  if (v === null) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export function seriesCsv(series: SeriesRow[]): string {
  const lines = [SERIES_COLUMNS.join(",")];
  for (const row of series) lines.push(SERIES_COLUMNS.map((c) => cell(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

export const CSV_TYPE = "text/csv; charset=utf-8";
