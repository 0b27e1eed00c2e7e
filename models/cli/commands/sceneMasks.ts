/**
 * Masks of scene parts from segmenter labels (one image, H×W class indices),
 * for drawing demo rules programmatically.
 */
import type { BinaryMask } from "../../../shared/rewrite";

export interface Labels {
  readonly width: number;
  readonly height: number;
  /** Class index per pixel, row-major. */
  readonly data: Uint8Array;
}

/** Pixels of class `k`. */
export function classMask(labels: Labels, k: number): BinaryMask {
  return { width: labels.width, height: labels.height, data: labels.data.map((v) => (v === k ? 1 : 0)) };
}

/**
 * "Roof": pixels of class `building` with a pixel of one of `above` classes
 * (sky, cloud) within `reach` pixels straight above them.
 */
export function roofMask(labels: Labels, building: number, above: readonly number[], reach = 3): BinaryMask {
  const { width, height } = labels;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (labels.data[y * width + x] !== building) continue;
      for (let dy = 1; dy <= reach && y - dy >= 0; dy++) {
        if (above.includes(labels.data[(y - dy) * width + x]!)) {
          data[y * width + x] = 1;
          break;
        }
      }
    }
  }
  return { width, height, data };
}

/** The 4-connected components of a mask, largest first. */
export function components(mask: BinaryMask): BinaryMask[] {
  const { width, height, data } = mask;
  const label = new Int32Array(width * height).fill(-1);
  const sizes: number[] = [];
  for (let start = 0; start < data.length; start++) {
    if (!data[start] || label[start] !== -1) continue;
    const id = sizes.length;
    const stack = [start];
    label[start] = id;
    let size = 0;
    while (stack.length > 0) {
      const p = stack.pop()!;
      size++;
      const y = Math.floor(p / width);
      const x = p % width;
      const neighbours = [
        y > 0 ? p - width : -1,
        y < height - 1 ? p + width : -1,
        x > 0 ? p - 1 : -1,
        x < width - 1 ? p + 1 : -1,
      ];
      for (const q of neighbours) {
        if (q >= 0 && data[q] && label[q] === -1) {
          label[q] = id;
          stack.push(q);
        }
      }
    }
    sizes.push(size);
  }
  return sizes
    .map((size, id) => ({ size, id }))
    .sort((a, b) => b.size - a.size || a.id - b.id)
    .map(({ id }) => ({ width, height, data: Uint8Array.from(label, (l) => (l === id ? 1 : 0)) }));
}

/** The largest 4-connected component of a mask (empty when the mask is). */
export function largestComponent(mask: BinaryMask): BinaryMask {
  return components(mask)[0] ?? { ...mask, data: new Uint8Array(mask.data.length) };
}

/** Height and width of the bounding box of a mask's set pixels (0 when empty). */
export function extent(mask: BinaryMask): { readonly height: number; readonly width: number } {
  let [top, left, bottom, right] = [mask.height, mask.width, -1, -1];
  mask.data.forEach((v, p) => {
    if (!v) return;
    const y = Math.floor(p / mask.width);
    const x = p % mask.width;
    [top, left, bottom, right] = [Math.min(top, y), Math.min(left, x), Math.max(bottom, y), Math.max(right, x)];
  });
  return bottom < 0 ? { height: 0, width: 0 } : { height: bottom - top + 1, width: right - left + 1 };
}

/** Grows a mask by `radius` pixels (square neighbourhood). */
export function dilate(mask: BinaryMask, radius: number): BinaryMask {
  const { width, height, data } = mask;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!data[y * width + x]) continue;
      for (let yy = Math.max(0, y - radius); yy <= Math.min(height - 1, y + radius); yy++) {
        for (let xx = Math.max(0, x - radius); xx <= Math.min(width - 1, x + radius); xx++) out[yy * width + xx] = 1;
      }
    }
  }
  return { width, height, data: out };
}

export function area(mask: BinaryMask): number {
  let n = 0;
  for (const v of mask.data) n += v;
  return n;
}
