import type { Mask } from "@/app/_lib/mask";
import type { Role } from "@/app/_lib/draft";

/** Display colour of each brush role (same as tailwind.config.js). */
export const ROLE_COLOURS: Readonly<Record<Role, readonly [number, number, number]>> = {
  copy: [59, 130, 246],
  paste: [249, 115, 22],
  context: [34, 197, 94],
};

export interface RoleMask {
  readonly role: Role;
  readonly mask: Mask;
}

/**
 * RGBA pixels showing each mask as its role's colour at `alpha` (0–255);
 * later masks cover earlier ones.
 */
export function overlayPixels(masks: readonly RoleMask[], size: number, alpha = 150): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(size * size * 4);
  for (const { role, mask } of masks) {
    const [r, g, b] = ROLE_COLOURS[role];
    for (let p = 0; p < size * size; p++) {
      if (mask.data[p] !== 1) continue;
      rgba.set([r, g, b, alpha], p * 4);
    }
  }
  return rgba;
}

/**
 * RGBA pixels of a match heatmap: `scores` (size×size, any range) above
 * `threshold` shown in yellow with opacity growing with the score; below
 * it the image is dimmed.
 */
export function heatmapPixels(
  scores: Float32Array,
  size: number,
  threshold: number,
  top: number,
): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(size * size * 4);
  const span = Math.max(top - threshold, 1e-9);
  for (let p = 0; p < size * size; p++) {
    const s = scores[p]!;
    if (s > threshold) {
      const t = Math.min(1, (s - threshold) / span);
      rgba.set([250, 204, 21, Math.round(80 + 120 * t)], p * 4);
    } else {
      rgba.set([2, 6, 23, 130], p * 4);
    }
  }
  return rgba;
}
