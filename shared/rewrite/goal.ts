/**
 * Goal values for a copy-and-paste rule (ALGORITHM.md §2.3–2.4), on layers
 * whose keys and values share one H×W grid (so the tight crop of keys and
 * values is the paste box itself).
 */
import { assertShape, type Tensor } from "../linalg/tensor";
import { RewriteError } from "./errors";
import { boundingBox, boxCentre, type Box } from "./mask";

/** The copied block of values, cropped to the copy mask's box. */
export interface CopyClip {
  /** O×h×w values of the copy image inside the box. */
  readonly values: Float64Array;
  /** h×w soft copy-mask weights inside the box (the blending alpha). */
  readonly alpha: Float64Array;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** Values [O,H,W] of the copy image and its cell weights (H·W) → the clip. */
export function copyClip(values: Tensor, cellWeights: ArrayLike<number>): CopyClip {
  assertShape("copy values", values, [-1, -1, -1]);
  const [o, h, w] = values.shape as [number, number, number];
  const box = boundingBox(cellWeights, h, w);
  const height = box.bottom - box.top;
  const width = box.right - box.left;
  if (height === 0) throw new RewriteError("empty-mask", "the copy mask covers no cell of the layer");

  const clip = new Float64Array(o * height * width);
  const alpha = new Float64Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = (box.top + y) * w + box.left + x;
      alpha[y * width + x] = cellWeights[src]!;
      for (let c = 0; c < o; c++) clip[(c * height + y) * width + x] = values.data[c * h * w + src]!;
    }
  }
  return { values: clip, alpha, channels: o, height, width };
}

/** Where a clip lands: centred on the paste box centre, shifted to stay inside the map. */
export function pasteBox(clip: CopyClip, pasteWeights: ArrayLike<number>, h: number, w: number): Box {
  const target = boundingBox(pasteWeights, h, w);
  if (target.bottom === 0) throw new RewriteError("empty-mask", "the paste mask covers no cell of the layer");
  const { y, x } = boxCentre(target);
  const top = Math.max(0, Math.min(h - clip.height, y - Math.floor(clip.height / 2)));
  const left = Math.max(0, Math.min(w - clip.width, x - Math.floor(clip.width / 2)));
  return { top, left, bottom: top + clip.height, right: left + clip.width };
}

/**
 * The goal map: the paste image's values [O,H,W], alpha-blended with the
 * clip inside `box`: V* = (1 − α)·V + α·clip. Returns O×H×W float64.
 */
export function blendGoal(values: Tensor, clip: CopyClip, box: Box): Float64Array {
  assertShape("paste values", values, [clip.channels, -1, -1]);
  const [o, h, w] = values.shape as [number, number, number];
  const goal = Float64Array.from(values.data);
  for (let y = 0; y < clip.height; y++) {
    for (let x = 0; x < clip.width; x++) {
      const a = clip.alpha[y * clip.width + x]!;
      if (a === 0) continue;
      const dst = (box.top + y) * w + box.left + x;
      for (let c = 0; c < o; c++) {
        const i = c * h * w + dst;
        goal[i] = (1 - a) * goal[i]! + a * clip.values[(c * clip.height + y) * clip.width + x]!;
      }
    }
  }
  return goal;
}
