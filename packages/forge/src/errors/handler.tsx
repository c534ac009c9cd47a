// The one place errors become HTTP answers: problem+json under /api (and for git and
// non-HTML clients), a friendly page for browsers. Unexpected errors are logged with the
// request id and shown without internals; a database data exception (a NUL byte or a number
// out of range that reached a query) is the request's fault and answers 400.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../http/context.ts";
import { Layout } from "../web/layout.tsx";
import { AppError, type ErrorKind } from "./app-error.ts";
import { internalProblem, type Problem, STATUS, toProblem } from "./problem.ts";

const KIND_BY_STATUS: Record<number, ErrorKind> = Object.fromEntries(
  Object.entries(STATUS).map(([k, v]) => [v, k as ErrorKind]),
);

function normalize(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  // The client hung up in the middle of its body: nobody reads the answer, but it is theirs.
  if ((err as { code?: string })?.code === "ECONNRESET" && (err as Error).message === "aborted")
    return new AppError("invalid", "The request body ended before it was complete");
  if (err instanceof HTTPException) {
    const kind = KIND_BY_STATUS[err.status] ?? (err.status < 500 ? "invalid" : null);
    if (!kind) return null;
    const message = /malformed json/i.test(err.message)
      ? "The request body is not valid JSON"
      : err.message || "Invalid request";
    return new AppError(kind, message);
  }
  if (isDataException(err)) {
    return new AppError(
      "invalid",
      "The request holds a value that cannot be stored or looked up (a NUL character, or a number out of range)",
    );
  }
  return null;
}

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22: a NUL byte in text, a number out of range,
 * text that is not a number) come from a value the request carried into a query that no
 * schema checked; they are the client's mistake (400), not the forge's.
 */
function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^22[0-9A-Z]{3}$/.test(code);
}

const wantsHtml = (c: Context) =>
  !c.req.path.startsWith("/api/") && (c.req.header("accept") ?? "").includes("text/html");

export function errorResponse(c: Context<AppEnv>, err: unknown): Response | Promise<Response> {
  const appErr = normalize(err);
  let problem: Problem;
  if (appErr) {
    problem = toProblem(appErr, c.req.path);
  } else {
    (c.var.log ?? console).error(
      {
        err,
        requestId: c.var.requestId,
        method: c.req.method,
        path: c.req.path,
        user: c.var.viewer?.user?.handle,
      },
      "unhandled error",
    );
    problem = internalProblem(c.req.path);
  }
  const headers = (appErr?.details.headers as Record<string, string> | undefined) ?? {};
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  if (wantsHtml(c)) {
    return c.html(<ErrorPage c={c} problem={problem} />, problem.status as 400);
  }
  return c.body(JSON.stringify(problem), problem.status as 400, {
    "Content-Type": "application/problem+json",
  });
}

function ErrorPage({ c, problem }: { c: Context<AppEnv>; problem: Problem }) {
  const signedIn = Boolean(c.var.viewer?.user);
  return (
    <Layout
      title={problem.title}
      user={c.var.viewer?.user ?? null}
      csrfToken={c.var.csrfToken ?? ""}
      theme={c.var.forge?.theme?.current() ?? null}
    >
      <div class="empty">
        <h1>{problem.status === 404 ? "Page not found" : problem.title}</h1>
        <p>
          {problem.status === 404
            ? "There is nothing here, or you do not have access to it."
            : problem.detail}
        </p>
        {problem.status === 404 && !signedIn ? (
          <p>
            <a href={`/login?next=${encodeURIComponent(c.req.path)}`}>Log in</a> if you expected to see
            something.
          </p>
        ) : null}
        <p>
          <a href="/">Go home</a>
        </p>
      </div>
    </Layout>
  );
}
