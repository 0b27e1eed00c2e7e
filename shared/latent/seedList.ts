/** Thrown when a seed list such as `"0-15,20"` cannot be read. */
export class SeedListError extends RangeError {
  readonly code = "invalid-seed-list" as const;

  constructor(message: string) {
    super(message);
    this.name = "SeedListError";
  }
}

const MAX_SEED = 0xffffffff;
/** Longest list a seed string may expand to unless the caller says more. */
const DEFAULT_MAX_COUNT = 1_000_000;

/**
 * The seeds named by a comma-separated list of integers and inclusive
 * ranges, in the order written: `"0-3,20,30-31"` → `[0,1,2,3,20,30,31]`.
 * A seed named twice is kept once, where it first appears.
 */
export function parseSeedList(
  text: string,
  { maxCount = DEFAULT_MAX_COUNT }: { maxCount?: number } = {},
): number[] {
  const seeds: number[] = [];
  for (const item of text.split(",")) {
    const [first, last] = parseItem(item.trim(), text);
    if (seeds.length + (last - first + 1) > maxCount) {
      throw new SeedListError(
        `seed list "${text}" names more than ${maxCount} seeds`,
      );
    }
    for (let seed = first; seed <= last; seed++) seeds.push(seed);
  }
  return [...new Set(seeds)];
}

/** The shortest list text for `seeds`: `[0,1,2,3,7]` → `"0-3,7"`. */
export function formatSeedList(seeds: readonly number[]): string {
  const parts: string[] = [];
  let start = 0;
  for (let i = 1; i <= seeds.length; i++) {
    if (i < seeds.length && seeds[i] === seeds[i - 1]! + 1) continue;
    const first = seeds[start]!;
    const last = seeds[i - 1]!;
    parts.push(first === last ? `${first}` : `${first}-${last}`);
    start = i;
  }
  return parts.join(",");
}

function parseItem(item: string, text: string): [number, number] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(item);
  if (!match) {
    throw new SeedListError(
      `cannot read "${item}" in seed list "${text}": ` +
        'expected a seed like "7" or a range like "0-15"',
    );
  }
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (last > MAX_SEED) {
    throw new SeedListError(`seed ${last} in "${text}" exceeds 2^32 - 1`);
  }
  if (last < first) {
    throw new SeedListError(`range "${item}" in "${text}" runs backwards`);
  }
  return [first, last];
}
