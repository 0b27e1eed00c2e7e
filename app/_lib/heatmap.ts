import { scoreQuantile } from "@/shared/rewrite/match";
import { heatmapPixels } from "./overlay";

/**
 * Context-match heatmaps: per-location scores key·d of a layer (H×W cells)
 * drawn over S×S images. A cell "matches" when its score is above the
 * DISPLAY_QUANTILE of all scores shown together, the grid's stand-in for the
 * original's 99.9th percentile over 1000 images (a 12-image grid has too
 * few cells for that quantile to outline anything).
 */
export const DISPLAY_QUANTILE = 0.98;

/** Nearest-cell upsampling of H×W scores to size×size pixels. */
export function upsampleCells(scores: ArrayLike<number>, h: number, w: number, size: number): Float32Array {
  if (scores.length !== h * w) throw new RangeError(`expected ${h}×${w} scores, got ${scores.length}`);
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const row = Math.min(h - 1, Math.floor((y * h) / size)) * w;
    for (let x = 0; x < size; x++) out[y * size + x] = scores[row + Math.min(w - 1, Math.floor((x * w) / size))]!;
  }
  return out;
}

/** RGBA overlays for each image's scores, thresholded together. */
export function heatmapOverlays(
  scores: readonly Float64Array[],
  h: number,
  w: number,
  size: number,
  quantile: number = DISPLAY_QUANTILE,
): Uint8ClampedArray[] {
  if (scores.length === 0) return [];
  const threshold = scoreQuantile(scores, quantile);
  const top = Math.max(...scores.map((s) => Math.max(...s)));
  return scores.map((s) => heatmapPixels(upsampleCells(s, h, w, size), size, threshold, top));
}
