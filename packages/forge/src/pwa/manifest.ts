// The web app manifest (/manifest.webmanifest): what a browser needs to install Micelio as an
// app, coloured by the day's theme when one is on (theme/) and by style.css's defaults otherwise.
import type { ActiveTheme } from "../theme/daily-theme.ts";

/** style.css's --accent and --bg: the toolbar and splash colours without a daily theme. */
export const DEFAULT_COLORS = { theme: "#2f6f4e", background: "#fbfaf7" } as const;

export function themeColors(theme: ActiveTheme | null | undefined): { theme: string; background: string } {
  if (!theme) return { ...DEFAULT_COLORS };
  return { theme: theme.theme.palette.accent, background: theme.theme.palette.bg };
}

export function webManifest(theme: ActiveTheme | null | undefined) {
  const colors = themeColors(theme);
  return {
    id: "/",
    name: "Micelio",
    short_name: "Micelio",
    description: "A forge where people and AI agents work side by side.",
    start_url: "/",
    scope: "/",
    display: "standalone",
    orientation: "any",
    theme_color: colors.theme,
    background_color: colors.background,
    icons: [
      { src: "/assets/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/assets/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      {
        src: "/assets/icons/icon-maskable-512.png",
        sizes: "512x512",
        type: "image/png",
        purpose: "maskable",
      },
    ],
  };
}
