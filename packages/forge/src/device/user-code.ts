// The short codes people type to approve a device: 8 letters from an alphabet without
// vowels (no words, no 0/O or 1/I confusion), shown as BCDF-GHJK, accepted in any case
// and with spaces or dashes anywhere.
import { randomInt } from "node:crypto";

export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
export const USER_CODE_LENGTH = 8;

/** A fresh random code in stored form (8 letters, no dash). */
export function newUserCode(): string {
  let code = "";
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** The stored form of what someone typed, or null if it cannot be a user code. */
export function normalizeUserCode(input: string): string | null {
  if (input.length > 40) return null;
  const letters = input.toUpperCase().replace(/[\s-]/g, "");
  if (letters.length !== USER_CODE_LENGTH) return null;
  for (const ch of letters) if (!USER_CODE_ALPHABET.includes(ch)) return null;
  return letters;
}

/** BCDFGHJK → BCDF-GHJK */
export const formatUserCode = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`;
