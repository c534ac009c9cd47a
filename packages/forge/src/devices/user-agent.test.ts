// Device names from real User-Agent headers, and that any header gives a short plain name.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeDevice } from "./user-agent.ts";

describe("describeDevice", () => {
  it("names common browsers and systems", () => {
    const cases: [string, string][] = [
      ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"],
      [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Chrome on Windows",
      ],
      [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
        "Edge on Windows",
      ],
      [
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "Safari on macOS",
      ],
      [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Safari on iOS",
      ],
      [
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
        "Chrome on Android",
      ],
      [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
        "Chrome on Linux",
      ],
      ["curl/8.5.0", "curl on an unknown system"],
      ["", "Unknown device"],
      ["something odd", "Unknown device"],
    ];
    for (const [ua, name] of cases) expect(describeDevice(ua), ua).toBe(name);
  });

  it("never echoes the header: any input gives one of the known names", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (ua) => {
        expect(describeDevice(ua)).toMatch(/^(Unknown device|[A-Za-z. ]+ on [A-Za-z ]+)$/);
        expect(describeDevice(ua).length).toBeLessThan(40);
      }),
    );
  });
});
