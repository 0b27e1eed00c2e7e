/**
 * Cholesky factorisation `A = L Lᵀ` of a symmetric positive definite matrix,
 * and solves with the factor. Matrices are float64, row-major, n×n.
 */
import { ShapeError } from "./tensor";

/** The matrix given to `choleskyFactor` is not numerically positive definite. */
export class NotPositiveDefiniteError extends RangeError {
  readonly code = "not-positive-definite" as const;

  constructor(readonly pivotIndex: number, readonly pivot: number) {
    super(`matrix is not positive definite (pivot ${pivotIndex} is ${pivot})`);
    this.name = "NotPositiveDefiniteError";
  }
}

/** Lower-triangular factor `L` (n×n, row-major, upper part zero). */
export function choleskyFactor(a: Float64Array, n: number): Float64Array {
  if (a.length !== n * n) throw new ShapeError("cholesky input", [n, n], [a.length]);
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let diag = a[j * n + j]!;
    for (let k = 0; k < j; k++) diag -= l[j * n + k]! ** 2;
    if (!(diag > 0)) throw new NotPositiveDefiniteError(j, diag);
    const ljj = Math.sqrt(diag);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/**
 * Solves `L Lᵀ X = B` for X, where B is n×m row-major (m right-hand sides
 * as columns). Returns a new n×m array.
 */
export function choleskySolve(
  l: Float64Array,
  n: number,
  b: Float64Array,
  m = 1,
): Float64Array {
  if (b.length !== n * m) throw new ShapeError("cholesky right-hand side", [n, m], [b.length]);
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    const lii = l[i * n + i]!;
    for (let k = 0; k < i; k++) {
      const lik = l[i * n + k]!;
      if (lik !== 0) for (let c = 0; c < m; c++) x[i * m + c]! -= lik * x[k * m + c]!;
    }
    for (let c = 0; c < m; c++) x[i * m + c]! /= lii;
  }
  for (let i = n - 1; i >= 0; i--) {
    const lii = l[i * n + i]!;
    for (let k = i + 1; k < n; k++) {
      const lki = l[k * n + i]!;
      if (lki !== 0) for (let c = 0; c < m; c++) x[i * m + c]! -= lki * x[k * m + c]!;
    }
    for (let c = 0; c < m; c++) x[i * m + c]! /= lii;
  }
  return x;
}
