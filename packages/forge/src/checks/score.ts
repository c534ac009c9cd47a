// Scores of a validation run: each category's score is the weighted share of its steps that
// passed (0-100), the aggregate the weighted share over all steps; a category (or a run)
// whose steps weigh nothing scores 100. The gate compares them with the config's
// `min_score` and `min_scores` and names every shortfall. Pure functions, property-tested.
import { CATEGORIES, type Category, type ChecksConfig } from "./checks-config.ts";

export interface StepOutcome {
  name: string;
  category: Category;
  weight: number;
  passed: boolean;
}

export interface Scores {
  aggregate: number;
  categories: Partial<Record<Category, number>>;
}

export interface Shortfall {
  /** "aggregate" or a category. */
  scope: "aggregate" | Category;
  score: number;
  required: number;
}

const share = (steps: StepOutcome[]) => {
  const total = steps.reduce((sum, s) => sum + s.weight, 0);
  if (total === 0) return 100;
  const passed = steps.reduce((sum, s) => sum + (s.passed ? s.weight : 0), 0);
  return Math.round((passed / total) * 1000) / 10;
};

export function scoreRun(steps: StepOutcome[]): Scores {
  const categories: Partial<Record<Category, number>> = {};
  for (const category of CATEGORIES) {
    const of = steps.filter((s) => s.category === category);
    if (of.length) categories[category] = share(of);
  }
  return { aggregate: share(steps), categories };
}

/** What keeps these scores below the config's minimums; empty when the run passes the gate. */
export function shortfalls(
  scores: Scores,
  config: Pick<ChecksConfig, "min_score" | "min_scores">,
): Shortfall[] {
  const out: Shortfall[] = [];
  if (scores.aggregate < config.min_score)
    out.push({ scope: "aggregate", score: scores.aggregate, required: config.min_score });
  for (const [category, required] of Object.entries(config.min_scores ?? {}) as [Category, number][]) {
    const score = scores.categories[category] ?? 100;
    if (score < required) out.push({ scope: category, score, required });
  }
  return out;
}

/**
 * Confidence in a contribution, 0-100: its validation score, discounted by 10 points' worth
 * per extra attempt it took (at most halved), so work that passed first time ranks above work
 * that got there by trial and error. Reputation (trust and oversight) will weigh in later.
 */
export function confidence(score: number, iteration: number): number {
  const attempts = Math.max(1, Math.floor(iteration));
  const factor = Math.max(0.5, 1 - 0.1 * (attempts - 1));
  return Math.round(Math.min(100, Math.max(0, score)) * factor * 10) / 10;
}
