/**
 * Stride-1, zero-padded ("same") 2-D convolutions of one image, in the
 * cross-correlation convention of torch's conv2d:
 *   out[o, y, x] = Σ_c Σ_{ky,kx} W[o, c, ky, kx] · in[c, y + ky − p, x + kx − p]
 * with p = (k − 1)/2 and zero outside the map. Accumulates in float64.
 */
import { assertShape, ShapeError, type Tensor } from "./tensor";

export interface ConvOptions {
  /** Only these input channels contribute (the rest are treated as zero). */
  readonly channels?: readonly number[];
}

/** conv(input [C,H,W], weight [O,C,kh,kw]) → [O,H,W], float64. */
export function conv2dSame(
  input: Tensor,
  weight: Tensor,
  { channels }: ConvOptions = {},
): Tensor<Float64Array> {
  const [c, h, w] = input.shape as [number, number, number];
  assertShape("conv input", input, [-1, -1, -1]);
  assertShape("conv weight", weight, [-1, c, -1, -1]);
  const [o, , kh, kw] = weight.shape as [number, number, number, number];
  if (kh % 2 !== 1 || kw % 2 !== 1) throw new ShapeError("conv kernel (odd sizes)", ["odd", "odd"], [kh, kw]);

  const out = new Float64Array(o * h * w);
  const used = channels ?? Array.from({ length: c }, (_, i) => i);
  // One element type in the inner loop whatever the caller passed (float32
  // keys from a model, float64 from the engine): mixed types there cost ~5×.
  const hw = h * w;
  const src = new Float64Array(used.length * hw);
  used.forEach((ic, u) => src.set(input.data.subarray(ic * hw, (ic + 1) * hw), u * hw));
  for (let oc = 0; oc < o; oc++) {
    const plane = out.subarray(oc * hw, (oc + 1) * hw);
    used.forEach((ic, u) => {
      const channel = src.subarray(u * hw, (u + 1) * hw);
      const wOff = (oc * c + ic) * kh * kw;
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const tap = weight.data[wOff + ky * kw + kx]!;
          if (tap !== 0) addShifted(plane, channel, h, w, ky - (kh - 1) / 2, kx - (kw - 1) / 2, tap);
        }
      }
    });
  }
  return { data: out, shape: [o, h, w] };
}

/** plane[y, x] += tap · src[y + dy, x + dx] wherever the source is inside. */
function addShifted(
  plane: Float64Array,
  src: Float64Array,
  h: number,
  w: number,
  dy: number,
  dx: number,
  tap: number,
): void {
  const y0 = Math.max(0, -dy);
  const y1 = Math.min(h, h - dy);
  const x0 = Math.max(0, -dx);
  const x1 = Math.min(w, w - dx);
  for (let y = y0; y < y1; y++) {
    const row = y * w;
    const srcRow = (y + dy) * w + dx;
    for (let x = x0; x < x1; x++) plane[row + x]! += tap * src[srcRow + x]!;
  }
}

/** Channel projection K̃ = D K: keys [I,H,W], D [r,I] → [r,H,W]. */
export function projectChannels(keys: Tensor, directions: Tensor): Tensor<Float64Array> {
  const [i, h, w] = keys.shape as [number, number, number];
  assertShape("projected keys", keys, [-1, -1, -1]);
  assertShape("directions", directions, [-1, i]);
  const r = directions.shape[0]!;
  const hw = h * w;
  const out = new Float64Array(r * hw);
  for (let d = 0; d < r; d++) {
    const dst = out.subarray(d * hw, (d + 1) * hw);
    for (let c = 0; c < i; c++) {
      const coef = directions.data[d * i + c]!;
      if (coef === 0) continue;
      const src = keys.data.subarray(c * hw, (c + 1) * hw);
      for (let p = 0; p < hw; p++) dst[p]! += coef * src[p]!;
    }
  }
  return { data: out, shape: [r, h, w] };
}

/**
 * Patch matrix (im2col) of a [C,H,W] map at the given output locations
 * (flat indices y·W + x): row q holds in[c, qy + ky − p, qx + kx − p] at
 * column (c, ky, kx), zero outside the map. Returns P×(C·kh·kw), row-major.
 */
export function patchMatrix(
  input: Tensor,
  locations: readonly number[],
  kh: number,
  kw: number,
): Float64Array {
  assertShape("patch input", input, [-1, -1, -1]);
  const [c, h, w] = input.shape as [number, number, number];
  const n = c * kh * kw;
  const out = new Float64Array(locations.length * n);
  locations.forEach((loc, q) => {
    const qy = Math.floor(loc / w);
    const qx = loc % w;
    for (let ch = 0; ch < c; ch++) {
      for (let ky = 0; ky < kh; ky++) {
        const y = qy + ky - (kh - 1) / 2;
        if (y < 0 || y >= h) continue;
        for (let kx = 0; kx < kw; kx++) {
          const x = qx + kx - (kw - 1) / 2;
          if (x < 0 || x >= w) continue;
          out[q * n + (ch * kh + ky) * kw + kx] = input.data[(ch * h + y) * w + x]!;
        }
      }
    }
  });
  return out;
}
