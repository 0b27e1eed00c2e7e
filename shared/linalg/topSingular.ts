/**
 * Top right singular vectors of a matrix given by its rows (n×m), found by
 * Lanczos iteration with full reorthogonalisation on AᵀA. Only products
 * with A and Aᵀ are needed, so a few context keys against a 256-channel
 * layer cost a few milliseconds rather than a full m×m eigendecomposition.
 */
import { axpy, dot, norm } from "./qr";
import { ShapeError } from "./tensor";
import { tridiagonalEigen } from "./tridiagonalEigen";

export interface TopSingular {
  /** Singular values, descending; fewer than asked when A has lower rank. */
  readonly values: Float64Array;
  /** Right singular vectors as rows (count×m, row-major). */
  readonly vectors: Float64Array;
  readonly count: number;
  /** Lanczos steps taken (the dimension of the Krylov space). */
  readonly steps: number;
}

export interface TopSingularOptions {
  /** Starting vector of the Krylov space (length m); defaults to the sum of the rows. */
  readonly start?: Float64Array;
  /** Convergence: Ritz residual below this share of the largest eigenvalue of AᵀA. */
  readonly tolerance?: number;
  /** Singular values below this share of the largest count as zero. */
  readonly rankTolerance?: number;
}

/** The `r` largest right singular vectors of the n×m matrix `a` (row-major). */
export function topRightSingularVectors(
  a: Float64Array,
  n: number,
  m: number,
  r: number,
  options: TopSingularOptions = {},
): TopSingular {
  if (a.length !== n * m) throw new ShapeError("topRightSingularVectors input", [n, m], [a.length]);
  const { tolerance = 1e-12, rankTolerance = 1e-7 } = options;
  const gram = (x: Float64Array): Float64Array => gramProduct(a, n, m, x);

  const basis: Float64Array[] = [];
  const alphas: number[] = [];
  const betas: number[] = [];
  let next: Float64Array | null = options.start
    ? Float64Array.from(options.start)
    : rowSum(a, n, m);
  const maxSteps = Math.min(m, n);

  while (basis.length < maxSteps) {
    reorthogonalise(next, basis);
    let beta = norm(next);
    const scale = 1e-10 * (1 + Math.max(0, ...alphas.map(Math.abs)));
    if (beta > scale) {
      next = next.map((x) => x / beta);
    } else {
      // An invariant subspace is exhausted: continue from a fresh direction.
      beta = 0;
      next = freshDirection(basis, m);
      if (next === null) break;
    }
    if (basis.length > 0) betas.push(beta);
    basis.push(next);
    const w = gram(next);
    alphas.push(dot(next, w));
    next = w;
    if (basis.length >= r && (basis.length % 4 === 0 || basis.length === maxSteps)) {
      reorthogonalise(next, basis);
      if (ritzConverged(alphas, betas, norm(next), r, tolerance)) break;
    }
  }
  return ritzVectors(basis, alphas, betas, m, r, rankTolerance);
}

/** AᵀA x without forming AᵀA. */
function gramProduct(a: Float64Array, n: number, m: number, x: Float64Array): Float64Array {
  const out = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const off = i * m;
    for (let j = 0; j < m; j++) s += a[off + j]! * x[j]!;
    if (s !== 0) for (let j = 0; j < m; j++) out[j]! += s * a[off + j]!;
  }
  return out;
}

function rowSum(a: Float64Array, n: number, m: number): Float64Array {
  const s = new Float64Array(m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) s[j]! += a[i * m + j]!;
  return norm(s) > 0 ? s : unitVector(m, 0);
}

/** A unit vector orthogonal to `basis`, or null when the basis spans everything. */
function freshDirection(basis: readonly Float64Array[], m: number): Float64Array | null {
  for (let index = 0; index < m; index++) {
    const v = unitVector(m, index);
    reorthogonalise(v, basis);
    const len = norm(v);
    if (len > 0.5 / Math.sqrt(m)) return v.map((x) => x / len);
  }
  return null;
}

function unitVector(m: number, index: number): Float64Array {
  const v = new Float64Array(m);
  v[index] = 1;
  return v;
}

function reorthogonalise(v: Float64Array, basis: readonly Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) for (const q of basis) axpy(-dot(q, v), q, v);
}

function ritzConverged(
  alphas: readonly number[],
  betas: readonly number[],
  residualNorm: number,
  r: number,
  tolerance: number,
): boolean {
  const k = alphas.length;
  const eig = tridiagonalEigen(alphas, betas);
  const scale = Math.max(Math.abs(eig.values[0]!), 1e-300);
  for (let j = 0; j < Math.min(r, k); j++) {
    const lastComponent = eig.vectors[j * k + k - 1]!;
    if (Math.abs(residualNorm * lastComponent) > tolerance * scale) return false;
  }
  return true;
}

function ritzVectors(
  basis: readonly Float64Array[],
  alphas: readonly number[],
  betas: readonly number[],
  m: number,
  r: number,
  rankTolerance: number,
): TopSingular {
  const k = alphas.length;
  if (k === 0) return { values: new Float64Array(0), vectors: new Float64Array(0), count: 0, steps: 0 };
  const eig = tridiagonalEigen(alphas, betas);
  const top = Math.sqrt(Math.max(eig.values[0]!, 0));
  const values: number[] = [];
  const vectors: Float64Array[] = [];
  for (let j = 0; j < Math.min(r, k); j++) {
    const sigma = Math.sqrt(Math.max(eig.values[j]!, 0));
    if (!(sigma > rankTolerance * top)) break;
    const v = new Float64Array(m);
    for (let i = 0; i < k; i++) axpy(eig.vectors[j * k + i]!, basis[i]!, v);
    const len = norm(v);
    values.push(sigma);
    vectors.push(v.map((x) => x / len));
  }
  const flat = new Float64Array(vectors.length * m);
  vectors.forEach((v, j) => flat.set(v, j * m));
  return { values: Float64Array.from(values), vectors: flat, count: vectors.length, steps: k };
}
