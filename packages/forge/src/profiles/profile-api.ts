// JSON API for profiles: PATCH /user edits the authenticated user's name, bio, website and
// links, PATCH /orgs/{org} an organization's (its owners); GET /users/{handle} returns them
// (accounts/accounts-api.ts).
import { createRoute, z } from "@hono/zod-openapi";
import { userJson } from "../accounts/accounts-service.ts";
import { apiRouter, json, jsonBody, problems, requireUser, scoped, UserSchema } from "../api/openapi.ts";
import { getOrg } from "../orgs/orgs-service.ts";
import { NETWORKS } from "./links.ts";
import { updateProfile } from "./profile-service.ts";

export const profileApi = apiRouter();

// Documented shape; the service validates and normalizes (profile-service.ts).
const LinksInput = z
  .object(Object.fromEntries(NETWORKS.map((n) => [n, z.string().nullable().optional()])))
  .strict()
  .openapi("ProfileLinksInput", { description: 'Social links keyed by network; null or "" removes one' });
const ProfileUpdate = z
  .object({
    name: z.string().max(100).optional(),
    bio: z.string().optional().openapi({ description: "At most 160 characters" }),
    website: z
      .string()
      .optional()
      .openapi({ description: 'An http(s) URL; a missing scheme becomes https://; "" removes it' }),
    links: LinksInput.optional(),
  })
  .openapi("ProfileUpdate");

profileApi.openapi(
  createRoute({
    method: "patch",
    path: "/user",
    tags: ["accounts"],
    summary: "Edit the authenticated user's profile (name, bio, website, social links)",
    ...scoped("user"),
    request: { body: jsonBody(ProfileUpdate) },
    responses: {
      200: json(UserSchema, "The updated account"),
      400: problems[400],
      401: problems[401],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const updated = await updateProfile(c.get("forge").db, c.get("viewer"), user, c.req.valid("json"));
    return c.json(userJson(updated, { private: true }), 200);
  },
);

profileApi.openapi(
  createRoute({
    method: "patch",
    path: "/orgs/{org}",
    tags: ["organizations"],
    summary: "Edit an organization's profile (name, bio, website, social links; organization owners)",
    ...scoped("org:admin"),
    request: { params: z.object({ org: z.string().max(100) }), body: jsonBody(ProfileUpdate) },
    responses: {
      200: json(UserSchema, "The updated organization"),
      400: problems[400],
      401: problems[401],
      403: problems[403],
      404: problems[404],
    },
  }),
  async (c) => {
    requireUser(c);
    const db = c.get("forge").db;
    const org = await getOrg(db, c.req.valid("param").org);
    const updated = await updateProfile(db, c.get("viewer"), org, c.req.valid("json"));
    return c.json(userJson(updated), 200);
  },
);
