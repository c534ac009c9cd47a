// Badges, structured data, icons and the legal page on a real forge: badge counts follow
// real landings (by people and by agents) and the licence landed on trunk; a private
// project's badges are 404 to anonymous visitors and strangers and 200 to members; the
// project page's JSON-LD survives a hostile description; every page links the icons and
// /legal, and the sign-up page links /legal too.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "../testing/client.ts";
import { startTestForge, type TestForge } from "../testing/forge.ts";
import { parseIco } from "./ico.ts";
import { PNG_SIGNATURE } from "./png.ts";

const HOSTILE = `</script><script>alert("pwned")</script><!-- & "quotes" </SCRIPT >`;
const MIT = `MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy
of this software. The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.\n`;
const b64 = (s: string) => Buffer.from(s).toString("base64");
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", trimValues: false });

describe("badges, JSON-LD, icons and legal", () => {
  let f: TestForge;
  let owner: Awaited<ReturnType<typeof userWithToken>>;
  let member: Awaited<ReturnType<typeof userWithToken>>;
  let other: Awaited<ReturnType<typeof userWithToken>>;

  const get = async (path: string, token?: string) => {
    const headers: Record<string, string> = { accept: "text/html" };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(f.url + path, { headers, redirect: "manual" });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  };
  /** Fetches a badge, checks it is an SVG that parses as XML, and returns its "label: value". */
  const badge = async (path: string, token?: string) => {
    const r = await get(path, token);
    expect(r.status, path).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    const svg = r.body.toString("utf8");
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = parser.parse(svg).svg;
    expect(doc.title).toBe(doc["@aria-label"]);
    return { text: String(doc.title), headers: r.headers };
  };
  const land = async (project: string, goal: string, files: Record<string, string>, extra: object = {}) => {
    const base = `/api/v1/projects/${project}/sessions`;
    const opened = await api(f.url, "POST", base, { token: owner.token, json: { goal, ...extra } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const changes = Object.entries(files).map(([path, text]) => ({ path, content: b64(text) }));
    const put = await api(f.url, "PUT", `${base}/${opened.body.id}/changes`, {
      token: owner.token,
      json: { changes },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const landed = await api(f.url, "POST", `${base}/${opened.body.id}/land`, { token: owner.token });
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
  };

  beforeAll(async () => {
    f = await startTestForge({ MICELIO_ABUSE_EMAIL: "abuse@example.test" });
    owner = await userWithToken(f.url, "mo");
    member = await userWithToken(f.url, "mem");
    other = await userWithToken(f.url, "oth");
    expect(
      (await api(f.url, "POST", "/api/v1/orgs", { token: owner.token, json: { handle: "acme" } })).status,
    ).toBe(201);
    const add = await api(f.url, "PUT", "/api/v1/orgs/acme/members/mem", {
      token: owner.token,
      json: { role: "member" },
    });
    expect(add.status).toBe(200);
    for (const [o, handle, visibility, description] of [
      ["mo", "app", "public", HOSTILE],
      ["acme", "vault", "private", "secret"],
    ]) {
      const r = await api(f.url, "POST", "/api/v1/projects", {
        token: owner.token,
        json: { handle, name: handle, owner: o, visibility, description },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  });
  afterAll(() => f.close());

  it("before any landing: 0 landings, never landed, no share, no licence", async () => {
    expect((await badge("/mo/app/badge/landings.svg")).text).toBe("landings: 0");
    expect((await badge("/mo/app/badge/last-landing.svg")).text).toBe("last landing: never");
    expect((await badge("/mo/app/badge/agents.svg")).text).toBe("by agents: no landings");
    expect((await badge("/mo/app/badge/license.svg")).text).toBe("license: not specified");
  });

  it("counts real landings, the share by agents, and reads the licence at trunk's head", async () => {
    await land("mo/app", "Start with a licence", {
      LICENSE: "Proprietary. All rights reserved.\n",
      "a.ts": "1\n",
    });
    expect((await badge("/mo/app/badge/license.svg")).text).toBe("license: unknown");
    await land(
      "mo/app",
      "Agent adds b",
      { "b.ts": "export const b = 2;\n" },
      { agent: { name: "claude" }, prompt: { text: "Add b" } },
    );
    await land("mo/app", "Generated c", { "c.py": "c = 3\n" }, { origin: "ai-generated" });
    await land("mo/app", "Switch to MIT", { LICENSE: MIT });
    const landings = await badge("/mo/app/badge/landings.svg");
    expect(landings.text).toBe("landings: 4");
    expect(landings.headers.get("cache-control")).toBe("public, max-age=300");
    // Embeddable from any site, inert when opened on its own.
    expect(landings.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(landings.headers.get("content-security-policy")).toMatch(/default-src 'none'.*sandbox/);
    expect((await badge("/mo/app/badge/agents.svg")).text).toBe("by agents: 50%");
    expect((await badge("/mo/app/badge/last-landing.svg")).text).toBe("last landing: today");
    expect((await badge("/mo/app/badge/license.svg")).text).toBe("license: MIT");
    // Owner and project names are case-insensitive, like the project page.
    expect((await badge("/MO/App/badge/landings.svg")).text).toBe("landings: 4");
  });

  it("counts stars", async () => {
    expect((await badge("/mo/app/badge/stars.svg")).text).toBe("stars: 0");
    for (const who of [member, other]) {
      const r = await api(f.url, "PUT", "/api/v1/user/starred/mo/app", { token: who.token });
      expect(r.status).toBe(204);
    }
    expect((await badge("/mo/app/badge/stars.svg")).text).toBe("stars: 2");
  });

  it("answers 404 for unknown badges and projects", async () => {
    for (const path of [
      "/mo/app/badge/nope.svg",
      "/mo/app/badge/landings.png",
      "/mo/app/badge/landings",
      "/mo/missing/badge/landings.svg",
    ])
      expect((await get(path)).status, path).toBe(404);
  });

  it("a private project's badges are 404 to anonymous visitors and strangers, 200 to members", async () => {
    await land("acme/vault", "Secret work", { "s.txt": "x\n" });
    for (const token of [undefined, other.token]) {
      const missing = await get("/acme/never-existed/badge/landings.svg", token);
      const r = await get("/acme/vault/badge/landings.svg", token);
      expect(r.status).toBe(404);
      const same = (b: Buffer) =>
        b
          .toString()
          .replaceAll("vault", "never-existed")
          .replace(/value="[^"]*"/g, "");
      expect(same(r.body)).toBe(same(missing.body));
    }
    const seen = await badge("/acme/vault/badge/landings.svg", member.token);
    expect(seen.text).toBe("landings: 1");
    expect(seen.headers.get("cache-control")).toBe("private, max-age=300");
    expect(seen.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect((await badge("/acme/vault/badge/license.svg", owner.token)).text).toBe("license: not specified");
  });

  it("the project page carries SoftwareSourceCode JSON-LD that a hostile description cannot break", async () => {
    const html = (await get("/mo/app")).body.toString("utf8");
    const scripts = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    // Besides the site's worker registration (pwa/), the only "</script" in the page closes the
    // JSON-LD element: the description cannot end it early.
    const own = html.replace('<script src="/assets/pwa.js" defer=""></script>', "");
    expect(own.toLowerCase().split("</script").length - 1).toBe(1);
    const ld = JSON.parse(scripts[0]![1]!);
    expect(ld).toMatchObject({
      "@context": "https://schema.org",
      "@type": "SoftwareSourceCode",
      name: "app",
      description: HOSTILE,
      codeRepository: `${f.url}/mo/app.git`,
      author: { "@type": "Person", name: "mo", url: `${f.url}/mo` },
      license: "https://spdx.org/licenses/MIT.html",
      programmingLanguage: "TypeScript",
    });
    expect(Date.now() - Date.parse(ld.dateModified)).toBeLessThan(3_600_000);
    expect(html).toContain(`<link rel="canonical" href="${f.url}/mo/app"/>`);
    expect(html).toContain(`<meta property="og:url" content="${f.url}/mo/app"/>`);
    expect(html).toContain(`<meta name="twitter:card" content="summary_large_image"/>`);
    expect(html).toContain(`<meta property="og:title" content="mo/app · Micelio"/>`);
    expect(html).toMatch(/<meta name="twitter:description" content="&lt;\/script&gt;/);
    // Copy-paste snippets for each badge.
    expect(html).toContain(`[![landings](${f.url}/mo/app/badge/landings.svg)](${f.url}/mo/app)`);
    expect(html).toContain(
      `&lt;img alt=&quot;license&quot; src=&quot;${f.url}/mo/app/badge/license.svg&quot;&gt;`,
    );
  });

  it("profiles carry Person or Organization JSON-LD", async () => {
    for (const [path, type] of [
      ["/mo", "Person"],
      ["/acme", "Organization"],
    ]) {
      const html = (await get(path)).body.toString("utf8");
      const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html);
      expect(JSON.parse(m![1]!)).toMatchObject({ "@type": type, url: `${f.url}${path}` });
      expect(html).toContain(`<meta property="og:type" content="profile"/>`);
    }
  });

  it("serves the icons and links them from every page", async () => {
    const ico = await get("/favicon.ico");
    expect(ico.status).toBe(200);
    expect(ico.headers.get("content-type")).toBe("image/x-icon");
    expect(ico.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    // Pages keep their own policy.
    expect((await get("/legal")).headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(ico.body.readUInt16LE(4)).toBe(3);
    const entries = parseIco(ico.body);
    expect(entries.map((e) => e.width)).toEqual([16, 32, 48]);
    for (const e of entries) expect(e.data.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const svg = await get("/favicon.svg");
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(XMLValidator.validate(svg.body.toString())).toBe(true);
    expect(parser.parse(svg.body.toString()).svg.circle).toBeDefined();
    const touch = await get("/apple-touch-icon.png");
    expect(touch.body.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect([touch.body.readUInt32BE(16), touch.body.readUInt32BE(20)]).toEqual([180, 180]);
    for (const path of ["/", "/login", "/mo", "/mo/app", "/legal"]) {
      const html = (await get(path)).body.toString();
      expect(html, path).toContain(`<link rel="icon" href="/favicon.ico" sizes="48x48"/>`);
      expect(html, path).toContain(`<link rel="icon" href="/favicon.svg" type="image/svg+xml"/>`);
      expect(html, path).toContain(`<link rel="apple-touch-icon" href="/apple-touch-icon.png"/>`);
    }
  });

  it("/legal says who is responsible, what is stored and where to report abuse; footer and sign-up link it", async () => {
    const legal = (await get("/legal")).body.toString();
    expect(legal).toContain("solely responsible for the content you host");
    for (const stored of [
      "email address",
      "hash",
      "Repositories",
      "conversations",
      "IP address",
      "audit log",
    ])
      expect(legal).toContain(stored);
    expect(legal).toContain(`<a href="mailto:abuse@example.test">abuse@example.test</a>`);
    const footer = (html: string) => /<footer[\s\S]*<\/footer>/.exec(html)?.[0] ?? "";
    for (const path of ["/", "/mo/app", "/legal"])
      expect(footer((await get(path)).body.toString()), path).toContain(`href="/legal"`);
    const signup = (await get("/signup")).body.toString();
    const form = /<form method="post" action="\/signup"[\s\S]*?<\/form>/.exec(signup)?.[0] ?? "";
    expect(form).toContain(`<a href="/legal">terms</a>`);
  });
});

describe("/legal without an abuse address", () => {
  let f: TestForge;
  beforeAll(async () => {
    f = await startTestForge();
  });
  afterAll(() => f.close());
  it("points to the administrators' profiles", async () => {
    await userWithToken(f.url, "boss"); // the first account is the administrator
    await userWithToken(f.url, "someone");
    const html = await (await fetch(`${f.url}/legal`)).text();
    expect(html).toContain(`<a href="/boss">boss</a>`);
    expect(html).not.toContain(`href="/someone"`);
    expect(html).not.toContain("mailto:");
  });
});
