// The Windows ICO container with PNG entries (supported by every current browser): an
// ICONDIR header, one 16-byte ICONDIRENTRY per image, then the PNG files themselves.
import { PNG_SIGNATURE } from "./png.ts";

export interface IcoImage {
  size: number;
  png: Uint8Array;
}

const HEADER = 6;
const ENTRY = 16;

/** Packs square PNG images into an .ico file. */
export function buildIco(images: IcoImage[]): Buffer {
  if (images.length === 0 || images.length > 0xffff) throw new RangeError("an icon holds 1 to 65535 images");
  const header = Buffer.alloc(HEADER + ENTRY * images.length);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach((img, i) => {
    if (img.size < 1 || img.size > 256) throw new RangeError("icon sizes are 1 to 256 pixels");
    const at = HEADER + i * ENTRY;
    header[at] = img.size === 256 ? 0 : img.size; // width (0 means 256)
    header[at + 1] = img.size === 256 ? 0 : img.size; // height
    header[at + 2] = 0; // palette colours
    header[at + 3] = 0; // reserved
    header.writeUInt16LE(1, at + 4); // colour planes
    header.writeUInt16LE(32, at + 6); // bits per pixel
    header.writeUInt32LE(img.png.length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += img.png.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.png)]);
}

export interface IcoEntry {
  width: number;
  height: number;
  bitsPerPixel: number;
  data: Buffer;
  isPng: boolean;
}

/** Reads an .ico file's directory and images; throws on a malformed file. */
export function parseIco(file: Buffer): IcoEntry[] {
  if (file.length < HEADER || file.readUInt16LE(0) !== 0 || file.readUInt16LE(2) !== 1)
    throw new Error("not an icon file");
  const count = file.readUInt16LE(4);
  if (file.length < HEADER + ENTRY * count) throw new Error("truncated icon directory");
  const out: IcoEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = HEADER + i * ENTRY;
    const size = file.readUInt32LE(at + 8);
    const offset = file.readUInt32LE(at + 12);
    if (offset + size > file.length) throw new Error(`image ${i} lies outside the file`);
    const data = file.subarray(offset, offset + size);
    out.push({
      width: file[at] || 256,
      height: file[at + 1] || 256,
      bitsPerPixel: file.readUInt16LE(at + 6),
      data,
      isPng: data.subarray(0, 8).equals(PNG_SIGNATURE),
    });
  }
  return out;
}
