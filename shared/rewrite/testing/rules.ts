/** Rule builders for tests on the synthetic source. */
import { encodeMask, maskFromBox, type Box } from "../mask";
import { parseRule, type Rule, type RuleInput } from "../rule";
import { cellsToPixels, objectCells, SYNTHETIC_SIZE, type SyntheticSource } from "./syntheticSource";

export function regionAt(seed: number, cells: Box) {
  const size = SYNTHETIC_SIZE.image;
  return { seed, mask: encodeMask(maskFromBox(size, size, cellsToPixels(cells))) };
}

/** The planted object's region in an object seed. */
export function objectRegion(seed: number) {
  return regionAt(seed, objectCells(seed));
}

/** Paste the object of seed 3 onto seed 6's object, context = object in seeds 9, 12, 15, 18. */
export function pasteRuleInput(overrides: Partial<RuleInput> = {}): RuleInput {
  return {
    version: 1,
    model: "synthetic",
    layer: "a",
    rank: 1,
    kind: "paste",
    copy: regionAt(4, { top: 1, left: 1, bottom: 3, right: 4 }),
    paste: objectRegion(6),
    context: [9, 12, 15, 18].map(objectRegion),
    ...overrides,
  };
}

export function rule(source: SyntheticSource, input: RuleInput): Rule {
  return parseRule(input, { layers: source.layers, imageSize: source.imageSize });
}
