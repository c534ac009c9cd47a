// The refusal for an invalid checks.yml, the same wherever it is met (a push to trunk, a
// landing session that changes the file): problem type …/problems/invalid-checks-config with
// every error's path, line and column.
import { AppError } from "../errors/app-error.ts";
import { CHECKS_PATH, type ConfigError } from "./checks-config.ts";

export const checksConfigProblem = (errors: ConfigError[]) =>
  new AppError("invalid", `${CHECKS_PATH} is not valid: ${errors[0]?.message ?? "unreadable"}`, {
    problem: "invalid-checks-config",
    file: CHECKS_PATH,
    errors: errors.map((e) => ({ field: e.path || CHECKS_PATH, message: e.message })),
    config_errors: errors,
  });
