// Small text checks shared by the forge and mic.

/** True when s holds an ASCII control character (NUL…US, DEL). */
export function hasControlCharacters(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
