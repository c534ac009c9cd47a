-- Maintainer attention budget (trust/review-budget.ts): per project the review minutes the
-- maintainers give each week, the numbers that estimate one review's minutes from a session's
-- size, and whether the review queue was last seen over capacity (so that crossing the line
-- records one project event, review.over_capacity, until the queue is back under it).
CREATE TABLE project_review_budgets (
  project_id           text PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  minutes_per_week     integer CHECK (minutes_per_week IS NULL OR minutes_per_week BETWEEN 0 AND 10080),
  base_minutes         real NOT NULL DEFAULT 5 CHECK (base_minutes >= 0 AND base_minutes <= 600),
  lines_per_minute     real NOT NULL DEFAULT 20 CHECK (lines_per_minute > 0 AND lines_per_minute <= 100000),
  over_capacity        boolean NOT NULL DEFAULT false,
  over_capacity_since  timestamptz,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  updated_by           text
);
