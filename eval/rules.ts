/**
 * The evaluation's rule set, drawn from segmenter labels on scan seeds
 * (never on the held-out seeds), so it can be redrawn for whatever model is
 * in the folder. Each rule uses at most four context images: the four scan
 * seeds with the largest connected region of the rule's part.
 */
import type { GeneratorModel } from "../server/model";
import { encodeMask, parseRule, type BinaryMask, type Rule, type RuleInput } from "../shared/rewrite";
import { area, largestComponent } from "../models/cli/commands/sceneMasks";
import type { Part, SceneParts, Segmented } from "./scene";

/** A part must cover at least this many pixels to be chosen or counted. */
export const MIN_PART_PIXELS = 12;
export const CONTEXT_IMAGES = 4;
/** Erase drops this share of key channels (30 of 512 in the original UI). */
const ERASE_SHARE = 30 / 512;

export type EditKind = "replace" | "add" | "remove";

export interface EvalRuleSpec {
  readonly name: string;
  readonly edit: EditKind;
  /** Where the rule acts: its context and paste regions. */
  readonly part: Part;
  /** Paste rules: the part copied in; also what efficacy counts. */
  readonly copy?: Part;
}

export const EVAL_RULES: readonly EvalRuleSpec[] = [
  { name: "dome-to-tree", edit: "replace", part: "dome", copy: "tree" },
  { name: "spire-to-dome", edit: "replace", part: "spire", copy: "dome" },
  { name: "tree-on-roof", edit: "add", part: "roof", copy: "tree" },
  { name: "cloud-in-sky", edit: "add", part: "sky", copy: "cloud" },
  { name: "remove-windows", edit: "remove", part: "window" },
  { name: "remove-doors", edit: "remove", part: "door" },
];

export type EvalRule = Rule & { readonly name: string };

interface Region {
  readonly seed: number;
  readonly mask: BinaryMask;
}

/** Scan seeds by the size of their largest `part` region, largest first. */
function regionsOf(part: Part, scene: SceneParts, seeds: readonly number[], scanned: Segmented, exclude: readonly number[]): Region[] {
  return seeds
    .map((seed, i) => ({ seed, mask: largestComponent(scene.mask(scanned.labels[i]!, part)) }))
    .filter((r) => !exclude.includes(r.seed) && area(r.mask) >= MIN_PART_PIXELS)
    .sort((a, b) => area(b.mask) - area(a.mask) || a.seed - b.seed);
}

/**
 * Draws one rule; returns a reason instead when the scan shows too little
 * of the part (e.g. an untrained model that draws no domes).
 */
export function drawRule(
  spec: EvalRuleSpec,
  model: GeneratorModel,
  layer: string,
  scene: SceneParts,
  seeds: readonly number[],
  scanned: Segmented,
): EvalRule | string {
  const context = regionsOf(spec.part, scene, seeds, scanned, []).slice(0, CONTEXT_IMAGES);
  if (context.length === 0) return `no scan seed shows a ${spec.part} of ${MIN_PART_PIXELS}+ pixels`;
  const encoded = context.map((r) => ({ seed: r.seed, mask: encodeMask(r.mask) }));
  const input: RuleInput = {
    version: 1,
    name: spec.name,
    model: model.manifest.name,
    layer,
    rank: 1,
    kind: spec.copy ? "paste" : "erase",
    paste: encoded[0]!,
    context: encoded,
  };
  if (spec.copy) {
    const copy = regionsOf(spec.copy, scene, seeds, scanned, context.map((r) => r.seed))[0];
    if (!copy) return `no scan seed shows a ${spec.copy} to copy`;
    input.copy = { seed: copy.seed, mask: encodeMask(copy.mask) };
  } else {
    input.eraseChannels = Math.max(1, Math.round(model.layer(layer).key[0] * ERASE_SHARE));
  }
  const size = model.manifest.resolution;
  const layers = model.layers.map((l) => ({ name: l.name, weight: l.weight, key: l.key, value: l.value }));
  return { ...parseRule(input, { layers, imageSize: [size, size] }), name: spec.name };
}
