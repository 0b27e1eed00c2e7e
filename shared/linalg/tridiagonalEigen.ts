/**
 * Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by the
 * implicit QL iteration with Wilkinson shifts, for the small Ritz problems
 * of a Lanczos run (a few dozen rows). A general symmetric solver first
 * reduces to this form; starting here skips that step and its allocations.
 */
import { ShapeError } from "./tensor";
import type { SymmetricEigen } from "./symmetricEigen";

/** Sweeps allowed per eigenvalue before giving up (convergence is cubic; 3–4 is usual). */
const MAX_SWEEPS = 60;

/**
 * The symmetric k×k matrix with `diagonal` (k) and `offDiagonal` (k−1, the
 * entries (i, i+1)). Returns values descending and eigenvectors as rows,
 * like `symmetricEigen`.
 */
export function tridiagonalEigen(diagonal: ArrayLike<number>, offDiagonal: ArrayLike<number>): SymmetricEigen {
  const k = diagonal.length;
  if (offDiagonal.length !== Math.max(k - 1, 0)) {
    throw new ShapeError("tridiagonalEigen off-diagonal", [Math.max(k - 1, 0)], [offDiagonal.length]);
  }
  const d = Float64Array.from(diagonal);
  // e[i] couples rows i and i+1; e[k−1] is a zero sentinel.
  const e = new Float64Array(k);
  for (let i = 0; i + 1 < k; i++) e[i] = offDiagonal[i]!;
  // z holds the eigenvectors as columns, z[row * k + column].
  const z = new Float64Array(k * k);
  for (let i = 0; i < k; i++) z[i * k + i] = 1;

  for (let l = 0; l < k; l++) {
    for (let sweep = 0; ; sweep++) {
      const m = splitPoint(d, e, l, k);
      if (m === l) break;
      if (sweep === MAX_SWEEPS) throw new RangeError(`tridiagonalEigen: no convergence at row ${l}`);
      qlSweep(d, e, z, k, l, m);
    }
  }
  return sortedDescending(d, z, k);
}

/** The first m ≥ l where e[m] is negligible against its neighbours (k−1 at the latest). */
function splitPoint(d: Float64Array, e: Float64Array, l: number, k: number): number {
  let m = l;
  for (; m < k - 1; m++) {
    const scale = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
    if (Math.abs(e[m]!) <= Number.EPSILON * scale) break;
  }
  return m;
}

/** One implicit QL step with a Wilkinson shift on the block l..m, plane rotations applied to z. */
function qlSweep(d: Float64Array, e: Float64Array, z: Float64Array, k: number, l: number, m: number): void {
  let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
  let r = Math.hypot(g, 1);
  g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
  let s = 1;
  let c = 1;
  let p = 0;
  let i = m - 1;
  for (; i >= l; i--) {
    let f = s * e[i]!;
    const b = c * e[i]!;
    r = Math.hypot(f, g);
    e[i + 1] = r;
    if (r === 0) {
      // The block split exactly: deflate and let the caller look again.
      d[i + 1]! -= p;
      e[m] = 0;
      return;
    }
    s = f / r;
    c = g / r;
    g = d[i + 1]! - p;
    r = (d[i]! - g) * s + 2 * c * b;
    p = s * r;
    d[i + 1] = g + p;
    g = c * r - b;
    for (let row = 0; row < k; row++) {
      f = z[row * k + i + 1]!;
      z[row * k + i + 1] = s * z[row * k + i]! + c * f;
      z[row * k + i] = c * z[row * k + i]! - s * f;
    }
  }
  d[l]! -= p;
  e[l] = g;
  e[m] = 0;
}

function sortedDescending(d: Float64Array, z: Float64Array, k: number): SymmetricEigen {
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => d[b]! - d[a]!);
  const values = new Float64Array(k);
  const vectors = new Float64Array(k * k);
  order.forEach((column, rank) => {
    values[rank] = d[column]!;
    for (let row = 0; row < k; row++) vectors[rank * k + row] = z[row * k + column]!;
  });
  return { values, vectors, n: k };
}
