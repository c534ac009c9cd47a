// The mail feature's web pages in one router, registered once in web/pages.ts.
import { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";
import { resetPages } from "./reset-pages.tsx";
import { verifyPages } from "./verify-pages.tsx";

export const mailPages = new Hono<AppEnv>();
mailPages.route("/", verifyPages);
mailPages.route("/", resetPages);
