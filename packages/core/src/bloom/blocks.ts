// Aligned blocks of landing positions: the segment-tree shape the rollups are stored in.
//
// Positions start at 1. A level-k block covers the 2^k positions [start, start + 2^k − 1]
// with start − 1 divisible by 2^k, i.e. block j of level k covers [j·2^k + 1, (j+1)·2^k]:
// level 0 = single landings, level 1 = 1–2, 3–4 …, level 2 = 1–4, 5–8 …, level 3 = 1–8 ….
// A level-k block's children are the two level-(k−1) blocks starting at start and
// start + 2^(k−1). The range "landed after base, up to head" is the half-open (base, head].

/** Deepest level the arithmetic supports (positions stay below 2^53). */
export const MAX_BLOCK_LEVEL = 52;

export interface BlockRef {
  level: number;
  start: number;
}

/** Number of positions a level-k block covers: 2^k. */
export function blockSize(level: number): number {
  return 2 ** level;
}

/** Start of the level-k block containing position (≥ 1). */
export function blockStartFor(level: number, position: number): number {
  const size = 2 ** level;
  return Math.floor((position - 1) / size) * size + 1;
}

/** Last position of a block. */
export function blockEnd(block: BlockRef): number {
  return block.start + 2 ** block.level - 1;
}

/** True when start is a valid aligned start for a level-k block. */
export function isAligned(level: number, start: number): boolean {
  return Number.isInteger(level) && level >= 0 && Number.isSafeInteger(start) && start >= 1
    ? (start - 1) % 2 ** level === 0
    : false;
}

/** The two halves of a block of level ≥ 1. */
export function childrenOf(block: BlockRef): [BlockRef, BlockRef] {
  const level = block.level - 1;
  return [
    { level, start: block.start },
    { level, start: block.start + 2 ** level },
  ];
}

function checkRange(base: number, head: number): void {
  if (!Number.isSafeInteger(base) || !Number.isSafeInteger(head) || base < 0 || head < 0) {
    throw new RangeError(`positions must be safe integers ≥ 0, got base=${base} head=${head}`);
  }
}

/**
 * The canonical decomposition of (base, head] into maximal aligned blocks of level ≤ maxLevel,
 * in position order: greedily take the largest aligned block starting at the next uncovered
 * position that does not pass head. Every position is covered exactly once; without a level
 * cap there are at most 2·⌈log2(head − base)⌉ + 2 blocks (levels rise, then fall). With a cap
 * L, long ranges add ⌈(head − base) / 2^L⌉ top-level blocks. Empty when head ≤ base.
 */
export function blocksFor(base: number, head: number, maxLevel = MAX_BLOCK_LEVEL): BlockRef[] {
  checkRange(base, head);
  const cap = Math.min(MAX_BLOCK_LEVEL, Math.max(0, Math.floor(maxLevel)));
  const out: BlockRef[] = [];
  let covered = base; // positions 1…covered are behind us; next block starts at covered + 1
  while (covered < head) {
    let level = 0;
    while (level < cap) {
      const size = 2 ** (level + 1);
      if (covered % size !== 0 || covered + size > head) break;
      level++;
    }
    out.push({ level, start: covered + 1 });
    covered += 2 ** level;
  }
  return out;
}
