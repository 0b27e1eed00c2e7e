import { MAX_SEED, MAX_SEEDS } from "@/shared/protocol";
import { parseSeedList } from "@/shared/latent";

/**
 * Grid paging: the seeds the grid shows next. A page is as long as the
 * current grid (at least one seed, at most MAX_SEEDS).
 */

/** The page after (+1) or before (-1) the current one; never below seed 0. */
export function pageSeeds(current: readonly number[], direction: 1 | -1): number[] {
  const count = Math.max(1, Math.min(MAX_SEEDS, current.length));
  const first = current[0] ?? 0;
  const start = Math.max(0, Math.min(MAX_SEED - count + 1, first + direction * count));
  return Array.from({ length: count }, (_, i) => start + i);
}

/** `count` distinct seeds in [0, 10000) drawn with `random` (default Math.random). */
export function shuffledSeeds(count: number, random: () => number = Math.random): number[] {
  const seeds = new Set<number>();
  while (seeds.size < Math.min(count, MAX_SEEDS)) seeds.add(Math.floor(random() * 10000));
  return [...seeds];
}

/**
 * The grid for what a user typed: a list like "3, 10-15"; or a single seed,
 * which starts a page of `count` consecutive seeds there. Throws the
 * SeedListError of shared/latent for unreadable text.
 */
export function seedsFromInput(text: string, count: number): number[] {
  const seeds = parseSeedList(text.replace(/\s+/g, ""), { maxCount: MAX_SEEDS });
  if (seeds.length !== 1) return seeds;
  const start = Math.min(seeds[0]!, MAX_SEED - count + 1);
  return Array.from({ length: Math.min(count, MAX_SEEDS) }, (_, i) => start + i);
}
