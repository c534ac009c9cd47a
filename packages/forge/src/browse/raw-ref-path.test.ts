// rawRefPath: a GET with more than two segments after the kind gives owner, project and the
// rest, each decoded; two segments or fewer, another kind or another method give null; a
// segment that cannot be decoded is a 404 (not_found).
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors/app-error.ts";
import { rawRefPath } from "./raw-ref-path.ts";

const app = new Hono();
app.all("*", (c) => c.json({ raw: rawRefPath(c, "tree") }));
app.onError((err, c) => c.json({ error: err instanceof AppError ? err.kind : String(err) }, 500));

const call = async (path: string, method = "GET") => (await app.request(path, { method })).json();

describe("rawRefPath", () => {
  it("splits and decodes a path with more segments than {ref}/{path}", async () => {
    expect(await call("/projects/a%2Db/p/tree/feature/x/src%20dir/app.ts")).toEqual({
      raw: { owner: "a-b", project: "p", rest: "feature/x/src dir/app.ts" },
    });
  });

  it("leaves {ref}/{path}, other kinds and other methods to the documented routes", async () => {
    expect(await call("/projects/a/p/tree/main/app.ts")).toEqual({ raw: null });
    expect(await call("/projects/a/p/blob/feature/x/app.ts")).toEqual({ raw: null });
    expect(await call("/projects/a/p/tree/feature/x/app.ts", "POST")).toEqual({ raw: null });
  });

  it("is not found when a segment cannot be decoded", async () => {
    expect(await call("/projects/a/p/tree/feature/x/%E0%A4%A")).toEqual({ error: "not_found" });
  });
});
