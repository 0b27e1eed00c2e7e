/** Rule specs for server tests, in the engine's schema (shared/rewrite). */
import { type Box, encodeMask, maskFromBox, type RuleInput } from "@/shared/rewrite";

const SIZE = 64;

export function region(seed: number, box: Box) {
  return { seed, mask: encodeMask(maskFromBox(SIZE, SIZE, box)) };
}

/** Copy the centre of seed 1 into the centre of seed 2, at conv16. */
export function pasteRule(overrides: Partial<RuleInput> = {}): RuleInput {
  return {
    version: 1,
    model: "town64",
    layer: "conv16",
    rank: 1,
    kind: "paste",
    copy: region(1, { top: 16, left: 16, bottom: 40, right: 40 }),
    paste: region(2, { top: 20, left: 20, bottom: 36, right: 36 }),
    context: [],
    ...overrides,
  };
}
