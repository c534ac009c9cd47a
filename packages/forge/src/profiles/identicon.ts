// The default avatar: a deterministic identicon (a symmetric 5×5 pattern in one colour)
// derived from the SHA-256 of the lowercased handle, as a small SVG.
import { createHash } from "node:crypto";

export function identiconSvg(handle: string): string {
  const h = createHash("sha256").update(handle.toLowerCase()).digest();
  const hue = ((h[0]! << 8) | h[1]!) % 360;
  const sat = 45 + (h[2]! % 20);
  const light = 42 + (h[3]! % 12);
  const color = `hsl(${hue} ${sat}% ${light}%)`;
  const cells: string[] = [];
  for (let row = 0; row < 5; row++) {
    for (let col = 0; col < 3; col++) {
      // One bit per cell of the left half (and middle column); mirrored to the right.
      const bit = (h[4 + row]! >> col) & 1;
      if (!bit) continue;
      for (const x of col === 2 ? [2] : [col, 4 - col]) {
        cells.push(`<rect x="${x + 0.5}" y="${row + 0.5}" width="1" height="1"/>`);
      }
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 6 6" width="256" height="256" shape-rendering="crispEdges">` +
    `<rect width="6" height="6" fill="#f0f0f0"/><g fill="${color}">${cells.join("")}</g></svg>`
  );
}
