// Content types for raw files: text (HTML, XML, SVG included) as text/plain, raster images
// and media as themselves, SVG as an image only for image loads and then as an attachment,
// unknown binaries as octet-stream attachments.
import { describe, expect, it } from "vitest";
import { rawType } from "./raw-file.ts";

describe("rawType", () => {
  it("serves text, including active formats, as UTF-8 plain text", () => {
    for (const path of [
      "README.md",
      "index.html",
      "x.htm",
      "feed.xml",
      "logo.svg",
      "app.js",
      "Makefile",
      "a.xhtml",
    ]) {
      expect(rawType(path, false, undefined), path).toEqual({
        contentType: "text/plain; charset=utf-8",
        attachment: false,
      });
      expect(rawType(path, false, "document").contentType, path).toBe("text/plain; charset=utf-8");
    }
  });

  it("serves SVG as an image only where it is loaded as one, and then as an attachment", () => {
    expect(rawType("docs/logo.svg", false, "image")).toEqual({
      contentType: "image/svg+xml",
      attachment: true,
    });
    expect(rawType("docs/logo.SVG", false, "iframe").contentType).toBe("text/plain; charset=utf-8");
    expect(rawType("docs/logo.svg", false, "object").contentType).toBe("text/plain; charset=utf-8");
  });

  it("keeps image and media types for binary files, and downloads anything else", () => {
    expect(rawType("a.PNG", true, undefined)).toEqual({ contentType: "image/png", attachment: false });
    expect(rawType("a.jpeg", true, undefined).contentType).toBe("image/jpeg");
    expect(rawType("clip.webm", true, undefined).contentType).toBe("video/webm");
    expect(rawType("page.html", true, undefined)).toEqual({
      contentType: "application/octet-stream",
      attachment: true,
    });
    expect(rawType("app.exe", true, "document")).toEqual({
      contentType: "application/octet-stream",
      attachment: true,
    });
    // A "png" that is really text is text.
    expect(rawType("fake.png", false, undefined).contentType).toBe("text/plain; charset=utf-8");
  });
});
