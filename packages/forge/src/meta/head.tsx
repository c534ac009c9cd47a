// What every page's <head> carries besides its title: the canonical link, Open Graph and
// Twitter card tags (with the page's picture, if it has one), the icons, and a page's
// JSON-LD (serialized so it cannot end the script).
import { raw } from "hono/html";
import { type JsonLd, serializeJsonLd } from "./json-ld.ts";

export interface HeadMeta {
  title: string;
  description: string;
  /** Absolute URL of the page: og:url and the canonical link. */
  url?: string;
  /** og:type: "website" unless the page says otherwise ("profile", "object"). */
  ogType?: string;
  jsonLd?: JsonLd;
  /** The page's Open Graph picture (og/og-head.ts): a large card for og:image and twitter:image. */
  image?: HeadImage;
}

export interface HeadImage {
  /** Absolute URL. */
  url: string;
  alt: string;
  width: number;
  height: number;
}

export function MetaHead(props: HeadMeta) {
  return (
    <>
      {props.url ? <link rel="canonical" href={props.url} /> : null}
      <meta property="og:title" content={props.title} />
      <meta property="og:description" content={props.description} />
      <meta property="og:type" content={props.ogType ?? "website"} />
      <meta property="og:site_name" content="Micelio" />
      {props.url ? <meta property="og:url" content={props.url} /> : null}
      {props.image ? (
        <>
          <meta property="og:image" content={props.image.url} />
          <meta property="og:image:type" content="image/png" />
          <meta property="og:image:width" content={String(props.image.width)} />
          <meta property="og:image:height" content={String(props.image.height)} />
          <meta property="og:image:alt" content={props.image.alt} />
        </>
      ) : null}
      <meta name="twitter:card" content={props.image ? "summary_large_image" : "summary"} />
      <meta name="twitter:title" content={props.title} />
      <meta name="twitter:description" content={props.description} />
      {props.image ? (
        <>
          <meta name="twitter:image" content={props.image.url} />
          <meta name="twitter:image:alt" content={props.image.alt} />
        </>
      ) : null}
      <link rel="icon" href="/favicon.ico" sizes="48x48" />
      <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      <link rel="apple-touch-icon" href="/apple-touch-icon.png" />
      {props.jsonLd ? <script type="application/ld+json">{raw(serializeJsonLd(props.jsonLd))}</script> : null}
    </>
  );
}
