/**
 * Orthonormal basis of the column span of a tall matrix (the Q of a thin
 * QR), by modified Gram–Schmidt with one reorthogonalisation pass, which
 * keeps Q orthonormal to rounding error even for nearly dependent columns.
 */
import { ShapeError } from "./tensor";

/** The columns given to `orthonormalColumns` are linearly dependent. */
export class RankDeficientError extends RangeError {
  readonly code = "rank-deficient" as const;

  constructor(readonly column: number) {
    super(`column ${column} is linearly dependent on the columns before it`);
    this.name = "RankDeficientError";
  }
}

export interface OrthonormalOptions {
  /** A column whose remaining norm falls below this share of its original norm counts as dependent. */
  readonly relativeTolerance?: number;
}

/**
 * Q (m×k, row-major) with orthonormal columns spanning the columns of `a`
 * (m×k, row-major), with `Q[:, j]·a[:, j] > 0` as in a QR with positive R
 * diagonal.
 */
export function orthonormalColumns(
  a: Float64Array,
  m: number,
  k: number,
  { relativeTolerance = 1e-10 }: OrthonormalOptions = {},
): Float64Array {
  if (a.length !== m * k || k > m) throw new ShapeError("orthonormalColumns input", [m, k], [a.length]);
  const cols: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = a[i * k + j]!;
    const original = norm(v);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of cols) axpy(-dot(q, v), q, v);
    }
    const remaining = norm(v);
    if (!(remaining > relativeTolerance * original) || original === 0) {
      throw new RankDeficientError(j);
    }
    for (let i = 0; i < m; i++) v[i]! /= remaining;
    cols.push(v);
  }
  const q = new Float64Array(m * k);
  cols.forEach((col, j) => col.forEach((x, i) => (q[i * k + j] = x)));
  return q;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** y ← y + alpha·x, in place. */
export function axpy(alpha: number, x: ArrayLike<number>, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += alpha * x[i]!;
}
