/**
 * What an edit did on held-out seeds, from images and segmenter labels
 * before and after it:
 * - efficacy: share of the rule's part pixels (by the segmenter, before the
 *   edit) labelled as the target afterwards: the copied part for paste
 *   rules, anything but the part for erase rules;
 * - collateral: mean |Δ| per pixel and channel (image units, range [-1, 1])
 *   outside the part grown by 2 px, over every held-out image, and the share
 *   of those pixels whose label changed.
 */
import { area, dilate } from "../models/cli/commands/sceneMasks";
import { MIN_PART_PIXELS, type EvalRuleSpec } from "./rules";
import type { SceneParts, Segmented } from "./scene";

/** Pixels this close to the part count as neither inside nor outside. */
const BORDER = 2;

export interface EditMeasures {
  /** Held-out images showing the part (≥ MIN_PART_PIXELS before the edit). */
  readonly imagesWithPart: number;
  readonly partPixels: number;
  readonly efficacy: number;
  readonly changeInside: number;
  readonly changeOutside: number;
  readonly labelChangeOutside: number;
}

export function measureEdit(spec: EvalRuleSpec, scene: SceneParts, before: Segmented, after: Segmented): EditMeasures {
  const target = spec.copy ? scene.classOf(spec.copy) : -1;
  const partClass = scene.classOf(spec.part);
  const [count = 0, , h = 0, w = 0] = before.images.shape;
  const inside = { sum: 0, n: 0 };
  const outside = { sum: 0, n: 0, relabelled: 0 };
  let imagesWithPart = 0;
  let partPixels = 0;
  let hits = 0;
  for (let i = 0; i < count; i++) {
    const part = scene.mask(before.labels[i]!, spec.part);
    const near = dilate(part, BORDER);
    const labelsBefore = before.labels[i]!.data;
    const labelsAfter = after.labels[i]!.data;
    for (let p = 0; p < h * w; p++) {
      const change = pixelChange(before.images.data, after.images.data, i, p, h * w);
      if (part.data[p]) {
        inside.sum += change;
        inside.n++;
      } else if (!near.data[p]) {
        outside.sum += change;
        outside.n++;
        if (labelsBefore[p] !== labelsAfter[p]) outside.relabelled++;
      }
    }
    if (area(part) < MIN_PART_PIXELS) continue;
    imagesWithPart++;
    for (let p = 0; p < h * w; p++) {
      if (!part.data[p]) continue;
      partPixels++;
      const label = labelsAfter[p]!;
      if (spec.copy ? label === target : label !== partClass) hits++;
    }
  }
  return {
    imagesWithPart,
    partPixels,
    efficacy: partPixels ? hits / partPixels : 0,
    changeInside: inside.n ? inside.sum / inside.n : 0,
    changeOutside: outside.n ? outside.sum / outside.n : 0,
    labelChangeOutside: outside.n ? outside.relabelled / outside.n : 0,
  };
}

/** Mean over the 3 channels of |after − before| at pixel p of image i. */
function pixelChange(before: ArrayLike<number>, after: ArrayLike<number>, i: number, p: number, plane: number): number {
  let s = 0;
  for (let c = 0; c < 3; c++) {
    const k = (i * 3 + c) * plane + p;
    s += Math.abs(after[k]! - before[k]!);
  }
  return s / 3;
}
