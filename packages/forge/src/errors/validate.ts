// Validates input against a zod schema, turning failures into an `invalid` AppError that
// names every offending field.
import type { z } from "zod";
import { invalid } from "./app-error.ts";

export function requireValid<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) {
    throw invalid(
      r.error.issues[0]?.message ?? "Invalid input",
      r.error.issues.map((i) => ({ field: i.path.join(".") || "body", message: i.message })),
    );
  }
  return r.data;
}
