/**
 * Solving for the update coefficients Λ of W1 = W0 + Λ D on a linear conv
 * (ALGORITHM.md §3.3 closed form, §3.4 IRLS), and the unconstrained
 * full-rank least-squares update used as a comparison baseline.
 */
import { choleskyFactor, choleskySolve } from "../linalg/cholesky";
import { patchMatrix } from "../linalg/conv";
import type { Tensor } from "../linalg/tensor";

/**
 * One least-squares problem shared by every output channel o:
 * minimise Σ_q (A[q]·λ_o − R[o, q])² + ε‖λ_o‖².
 */
export interface LambdaProblem {
  /** A: P×n patch matrix of the projected keys D K at the goal locations, n = r·kh·kw. */
  readonly patches: Float64Array;
  readonly locations: number;
  readonly unknowns: number;
  /** R: O×P, goal values minus the current layer output at the goal locations. */
  readonly residual: Float64Array;
  readonly outputs: number;
  /** ε ≥ 0 added to the diagonal of AᵀA. */
  readonly damping: number;
}

/** Λ (O×n, row o = vec(Λ[o]) over (d, ky, kx)) = (AᵀA + εI)⁻¹ AᵀRᵀ. */
export function solveLambdaL2(problem: LambdaProblem): Float64Array {
  const { patches: a, locations: p, unknowns: n, residual: r, outputs: o, damping } = problem;
  const gram = weightedGram(a, p, n, null);
  addDamping(gram, n, damping);
  const rhs = new Float64Array(n * o);
  for (let q = 0; q < p; q++) {
    for (let i = 0; i < n; i++) {
      const aqi = a[q * n + i]!;
      if (aqi === 0) continue;
      for (let c = 0; c < o; c++) rhs[i * o + c]! += aqi * r[c * p + q]!;
    }
  }
  const solution = choleskySolve(choleskyFactor(gram, n), n, rhs, o);
  return transpose(solution, n, o);
}

export interface IrlsOptions {
  /** Most reweighting rounds after the L2 start (§3.4 suggests 10–30); a channel stops early once Λ settles. */
  readonly iterations?: number;
  /** η = floorShare · median|R| bounds the weights 1/max(|e|, η). */
  readonly floorShare?: number;
}

/**
 * Λ minimising Σ_q |A[q]·λ_o − R[o, q]| + (μ/2)‖λ_o‖² per output channel by
 * iteratively reweighted least squares from the L2 solution; each round
 * solves (AᵀΩA + μI) λ = AᵀΩR with ω_q = 1/max(|e_q|, η), which never
 * increases that objective (η aside). μ = 2ε/m with m = mean|R| makes the
 * damping ε mean the same as in the L2 solve for residuals of size m
 * (e² ≈ m·|e| there).
 */
export function solveLambdaL1(problem: LambdaProblem, options: IrlsOptions = {}): Float64Array {
  const { iterations = 20, floorShare = 1e-3 } = options;
  const { patches: a, locations: p, unknowns: n, residual: r, outputs: o, damping } = problem;
  const lambda = solveLambdaL2(problem);
  const absR = r.map(Math.abs);
  const eta = Math.max(floorShare * median(absR), 1e-12);
  const scale = absR.reduce((s, x) => s + x, 0) / Math.max(absR.length, 1);
  const mu = scale > 0 ? (2 * damping) / scale : damping;
  const weights = new Float64Array(p);
  for (let c = 0; c < o; c++) {
    const row = lambda.subarray(c * n, (c + 1) * n);
    const target = r.subarray(c * p, (c + 1) * p);
    for (let it = 0; it < iterations; it++) {
      for (let q = 0; q < p; q++) {
        let e = -target[q]!;
        for (let i = 0; i < n; i++) e += a[q * n + i]! * row[i]!;
        weights[q] = 1 / Math.max(Math.abs(e), eta);
      }
      const next = weightedSolve(a, p, n, weights, target, mu);
      let step = 0;
      let size = 0;
      for (let i = 0; i < n; i++) {
        step = Math.max(step, Math.abs(next[i]! - row[i]!));
        size = Math.max(size, Math.abs(next[i]!));
      }
      row.set(next);
      if (step <= 1e-10 * (1 + size)) break;
    }
  }
  return lambda;
}

/** R − A Λᵀ: the residual left at the goal locations (O×P). */
export function residualAfter(problem: LambdaProblem, lambda: Float64Array): Float64Array {
  const { patches: a, locations: p, unknowns: n, residual: r, outputs: o } = problem;
  const out = Float64Array.from(r);
  for (let c = 0; c < o; c++) {
    for (let q = 0; q < p; q++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += a[q * n + i]! * lambda[c * n + i]!;
      out[c * p + q]! -= s;
    }
  }
  return out;
}

/**
 * The unconstrained single-layer update (full rank, all input channels):
 * ΔW minimising Σ_q ‖conv(K; ΔW)[q] − R[q]‖² + ε‖ΔW‖², solved in the dual
 * form ΔW_o = Aᵀ (AAᵀ + εI)⁻¹ R[o]ᵀ with A the P×(I·kh·kw) patch matrix of
 * the raw keys. Returns ΔW as [O, I, kh, kw].
 */
export function fullRankUpdate(
  keys: Tensor,
  locations: readonly number[],
  residual: Float64Array,
  outputs: number,
  damping: number,
  kernel: readonly [number, number] = [3, 3],
): Tensor<Float64Array> {
  const [kh, kw] = kernel;
  const p = locations.length;
  const m = keys.shape[0]! * kh * kw;
  const a = patchMatrix(keys, locations, kh, kw);
  const kernelMatrix = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += a[i * m + k]! * a[j * m + k]!;
      kernelMatrix[i * p + j] = kernelMatrix[j * p + i] = s;
    }
    kernelMatrix[i * p + i]! += damping;
  }
  const alpha = choleskySolve(choleskyFactor(kernelMatrix, p), p, transpose(residual, outputs, p), outputs);
  const delta = new Float64Array(outputs * m);
  for (let q = 0; q < p; q++) {
    for (let c = 0; c < outputs; c++) {
      const coef = alpha[q * outputs + c]!;
      for (let k = 0; k < m; k++) delta[c * m + k]! += coef * a[q * m + k]!;
    }
  }
  return { data: delta, shape: [outputs, keys.shape[0]!, kh, kw] };
}

/**
 * Adds ε to the diagonal, at least 1e-12 of the mean diagonal so that an
 * undetermined problem (fewer goal cells than unknowns) still factors; it
 * then returns the minimum-norm fit.
 */
function addDamping(g: Float64Array, n: number, damping: number): void {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += g[i * n + i]!;
  const eps = Math.max(damping, (1e-12 * trace) / n, 1e-300);
  for (let i = 0; i < n; i++) g[i * n + i]! += eps;
}

/** AᵀΩA (n×n) with Ω = diag(weights), or AᵀA when weights is null. */
function weightedGram(a: Float64Array, p: number, n: number, weights: Float64Array | null): Float64Array {
  const g = new Float64Array(n * n);
  for (let q = 0; q < p; q++) {
    const wq = weights ? weights[q]! : 1;
    for (let i = 0; i < n; i++) {
      const ai = a[q * n + i]! * wq;
      if (ai === 0) continue;
      for (let j = i; j < n; j++) g[i * n + j]! += ai * a[q * n + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) g[i * n + j] = g[j * n + i]!;
  return g;
}

function weightedSolve(
  a: Float64Array,
  p: number,
  n: number,
  weights: Float64Array,
  target: Float64Array,
  damping: number,
): Float64Array {
  const g = weightedGram(a, p, n, weights);
  addDamping(g, n, damping);
  const rhs = new Float64Array(n);
  for (let q = 0; q < p; q++) {
    const wr = weights[q]! * target[q]!;
    for (let i = 0; i < n; i++) rhs[i]! += a[q * n + i]! * wr;
  }
  return choleskySolve(choleskyFactor(g, n), n, rhs);
}

function transpose(m: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j]!;
  return t;
}

function median(values: Float64Array): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : 0.5 * (sorted[mid - 1]! + sorted[mid]!);
}
