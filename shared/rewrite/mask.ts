/**
 * Binary image-resolution masks: a compact text encoding for rule JSON and
 * Yjs documents, and their resampling to a layer's feature map (ALGORITHM.md
 * §2.2).
 */
import { ShapeError } from "../linalg/tensor";
import { RewriteError } from "./errors";

/** A binary mask at image resolution; `data[y·width + x]` is 0 or 1. */
export interface BinaryMask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * A mask as stored in a rule: the pixels bit-packed row-major, most
 * significant bit first, zero-padded to whole bytes, then base64. A 64×64
 * mask takes 684 characters.
 */
export interface EncodedMask {
  readonly width: number;
  readonly height: number;
  readonly bits: string;
}

/** Half-open box of feature-map cells `[top, bottom) × [left, right)`. */
export interface Box {
  readonly top: number;
  readonly left: number;
  readonly bottom: number;
  readonly right: number;
}

export function encodeMask(mask: BinaryMask): EncodedMask {
  const { width, height, data } = mask;
  if (data.length !== width * height) throw new ShapeError("mask", [height, width], [data.length]);
  const bytes = new Uint8Array(Math.ceil(data.length / 8));
  data.forEach((v, i) => {
    if (v) bytes[i >> 3]! |= 0x80 >> (i & 7);
  });
  let text = "";
  bytes.forEach((b) => (text += String.fromCharCode(b)));
  return { width, height, bits: btoa(text) };
}

/** Inverse of `encodeMask`; throws `RewriteError("invalid-input")` on a malformed string. */
export function decodeMask(encoded: EncodedMask): BinaryMask {
  const { width, height, bits } = encoded;
  const expected = Math.ceil((width * height) / 8);
  let text: string;
  try {
    text = atob(bits);
  } catch {
    throw new RewriteError("invalid-input", "mask bits are not valid base64");
  }
  if (text.length !== expected) {
    throw new RewriteError(
      "invalid-input",
      `mask bits hold ${text.length} bytes, a ${width}×${height} mask needs ${expected}`,
    );
  }
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) {
    data[i] = (text.charCodeAt(i >> 3) >> (7 - (i & 7))) & 1;
  }
  return { width, height, data };
}

/** Number of set pixels. */
export function maskArea(mask: BinaryMask): number {
  let n = 0;
  for (const v of mask.data) n += v;
  return n;
}

/** A mask with the half-open pixel rectangle `box` set. */
export function maskFromBox(width: number, height: number, box: Box): BinaryMask {
  const data = new Uint8Array(width * height);
  for (let y = Math.max(0, box.top); y < Math.min(height, box.bottom); y++) {
    for (let x = Math.max(0, box.left); x < Math.min(width, box.right); x++) data[y * width + x] = 1;
  }
  return { width, height, data };
}

/**
 * Soft weights of `mask` on an h×w feature map: each cell gets the share of
 * its image pixels that are set. [ours] This area average replaces the
 * original's Pillow bilinear (triangle-filter) resize; with integer factors
 * (64 → 8, 16, 32) it is exact, and its support never leaks into a
 * neighbouring cell, so boxes do not grow by the filter's tail.
 */
export function maskToCells(mask: BinaryMask, h: number, w: number): Float64Array {
  const { width, height, data } = mask;
  if (width % w !== 0 || height % h !== 0) {
    throw new ShapeError("mask resampling (integer factor)", [`k·${h}`, `k·${w}`], [height, width]);
  }
  const fy = height / h;
  const fx = width / w;
  const out = new Float64Array(h * w);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / fy) * w;
    for (let x = 0; x < width; x++) if (data[y * width + x]) out[row + Math.floor(x / fx)]! += 1;
  }
  const area = fy * fx;
  for (let i = 0; i < out.length; i++) out[i]! /= area;
  return out;
}

/** Smallest half-open box holding every cell with weight > 0; (0,0,0,0) when none. */
export function boundingBox(weights: ArrayLike<number>, h: number, w: number): Box {
  let top = h;
  let left = w;
  let bottom = 0;
  let right = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!(weights[y * w + x]! > 0)) continue;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y + 1);
      left = Math.min(left, x);
      right = Math.max(right, x + 1);
    }
  }
  return bottom === 0 ? { top: 0, left: 0, bottom: 0, right: 0 } : { top, left, bottom, right };
}

/** Integer centre `((t+b)//2, (l+r)//2)` of a box. */
export function boxCentre(box: Box): { readonly y: number; readonly x: number } {
  return { y: Math.floor((box.top + box.bottom) / 2), x: Math.floor((box.left + box.right) / 2) };
}

/** Flat indices `y·w + x` of the cells of `box`, row-major. */
export function boxCells(box: Box, w: number): number[] {
  const cells: number[] = [];
  for (let y = box.top; y < box.bottom; y++) for (let x = box.left; x < box.right; x++) cells.push(y * w + x);
  return cells;
}
