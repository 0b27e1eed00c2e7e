/**
 * Binary brush masks at image resolution (size×size, row-major, 1 = painted).
 *
 * Masks are immutable values: every paint operation returns a new mask, so a
 * mask can be stored in React state or a Yjs document without defensive
 * copies. Pixel (x, y) covers the square [x, x+1)×[y, y+1); a disc of radius r
 * centred at (cx, cy) paints every pixel whose centre lies within r of it.
 */

export interface Mask {
  readonly size: number;
  /** size·size bytes, each 0 or 1, row-major (index y·size + x). */
  readonly data: Uint8Array;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Side of the generator's images, and so of every mask the editor paints. */
export const IMAGE_SIZE = 64;

export class MaskError extends RangeError {
  readonly code = "MASK_INVALID";
}

/** An all-zero mask. */
export function emptyMask(size: number = IMAGE_SIZE): Mask {
  if (!Number.isInteger(size) || size <= 0) {
    throw new MaskError(`mask size must be a positive integer, got ${size}`);
  }
  return { size, data: new Uint8Array(size * size) };
}

/** Wraps raw bytes as a mask, checking the length and that every byte is 0/1. */
export function maskFromBytes(data: Uint8Array, size: number): Mask {
  if (data.length !== size * size) {
    throw new MaskError(
      `mask of side ${size} needs ${size * size} bytes, got ${data.length}`,
    );
  }
  if (data.some((v) => v !== 0 && v !== 1)) {
    throw new MaskError("mask bytes must be 0 or 1");
  }
  return { size, data: Uint8Array.from(data) };
}

/** Paints (on) or erases (off) a disc; returns a new mask. */
export function paintDisc(
  mask: Mask,
  centre: Point,
  radius: number,
  on: boolean,
): Mask {
  const data = Uint8Array.from(mask.data);
  stampDisc(data, mask.size, centre, radius, on ? 1 : 0);
  return { size: mask.size, data };
}

/**
 * Paints a stroke segment from `from` to `to` as discs every half pixel, so
 * fast pointer moves leave no gaps.
 */
export function paintStroke(
  mask: Mask,
  from: Point,
  to: Point,
  radius: number,
  on: boolean,
): Mask {
  const data = Uint8Array.from(mask.data);
  const length = Math.hypot(to.x - from.x, to.y - from.y);
  const steps = Math.max(1, Math.ceil(length * 2));
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    const centre = {
      x: from.x + (to.x - from.x) * t,
      y: from.y + (to.y - from.y) * t,
    };
    stampDisc(data, mask.size, centre, radius, on ? 1 : 0);
  }
  return { size: mask.size, data };
}

function stampDisc(
  data: Uint8Array,
  size: number,
  centre: Point,
  radius: number,
  value: 0 | 1,
): void {
  const r = Math.max(0.5, radius);
  const y0 = Math.max(0, Math.floor(centre.y - r));
  const y1 = Math.min(size - 1, Math.ceil(centre.y + r));
  const x0 = Math.max(0, Math.floor(centre.x - r));
  const x1 = Math.min(size - 1, Math.ceil(centre.x + r));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - centre.x;
      const dy = y + 0.5 - centre.y;
      if (dx * dx + dy * dy <= r * r) data[y * size + x] = value;
    }
  }
}

/** Number of painted pixels. */
export function maskArea(mask: Mask): number {
  let area = 0;
  for (const v of mask.data) area += v;
  return area;
}

export function isEmptyMask(mask: Mask): boolean {
  return !mask.data.some((v) => v !== 0);
}
