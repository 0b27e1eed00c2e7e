import { describe, expect, it } from "vitest";
import fixtures from "./fixtures/linalg.json";
import { choleskyFactor, choleskySolve, NotPositiveDefiniteError } from "./cholesky";
import { conv2dSame, patchMatrix, projectChannels } from "./conv";
import { orthonormalColumns, RankDeficientError } from "./qr";
import { symmetricEigen } from "./symmetricEigen";
import { ShapeError } from "./tensor";
import { topRightSingularVectors } from "./topSingular";
import { tridiagonalEigen } from "./tridiagonalEigen";

const f64 = (a: number[]) => Float64Array.from(a);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Rows of `a` and `b` agree up to the sign of each row. */
function rowsAgreeUpToSign(a: Float64Array, b: Float64Array, rows: number, tol: number): void {
  const m = a.length / rows;
  for (let j = 0; j < rows; j++) {
    const ra = a.subarray(j * m, (j + 1) * m);
    const rb = b.subarray(j * m, (j + 1) * m);
    const sign = ra.reduce((s, x, i) => s + x * rb[i]!, 0) < 0 ? -1 : 1;
    expect(maxAbsDiff(ra.map((x) => sign * x), rb)).toBeLessThan(tol);
  }
}

describe("symmetricEigen", () => {
  for (const c of fixtures.spd) {
    it(`matches numpy eigh on a ${c.n}×${c.n} SPD matrix, eigenvalues descending`, () => {
      const eig = symmetricEigen(f64(c.a), c.n);
      expect(maxAbsDiff(eig.values, c.values)).toBeLessThan(1e-10 * c.values[0]!);
      rowsAgreeUpToSign(eig.vectors, f64(c.vectors), c.n, 1e-8);
    });
  }

  it("rebuilds the matrix as E diag(λ) Eᵀ", () => {
    const c = fixtures.spd[1]!;
    const { values, vectors, n } = symmetricEigen(f64(c.a), c.n);
    const rebuilt = new Float64Array(n * n);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) rebuilt[i * n + j]! += values[k]! * vectors[k * n + i]! * vectors[k * n + j]!;
      }
    }
    expect(maxAbsDiff(rebuilt, c.a)).toBeLessThan(1e-10 * c.values[0]!);
  });
});

/** A seeded uniform stream in [−1, 1) (mulberry32), so the cases are fixed. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  };
}

function denseTridiagonal(diagonal: Float64Array, off: Float64Array): Float64Array {
  const k = diagonal.length;
  const a = new Float64Array(k * k);
  diagonal.forEach((x, i) => (a[i * k + i] = x));
  off.forEach((x, i) => (a[i * k + i + 1] = a[(i + 1) * k + i] = x));
  return a;
}

describe("tridiagonalEigen", () => {
  const cases: [string, Float64Array, Float64Array][] = [];
  for (const k of [1, 2, 5, 17, 40]) {
    const next = uniform(k);
    cases.push([`random ${k}×${k}`, Float64Array.from({ length: k }, next), Float64Array.from({ length: k - 1 }, next)]);
  }
  // Repeated eigenvalues, a split block (a zero coupling) and a Lanczos-like spread of scales.
  cases.push(["split, repeated", f64([2, 2, 2, 5, 5]), f64([0, 1e-3, 0, 0])]);
  cases.push(["graded", f64([1e6, 3e3, 10, 0.1, 1e-4]), f64([2e3, 40, 1, 1e-3])]);

  for (const [name, d, e] of cases) {
    it(`agrees with the general symmetric solver on ${name}`, () => {
      const k = d.length;
      const ours = tridiagonalEigen(d, e);
      const reference = symmetricEigen(denseTridiagonal(d, e), k);
      const scale = Math.max(...reference.values.map(Math.abs), 1);
      expect(maxAbsDiff(ours.values, reference.values)).toBeLessThan(1e-12 * scale);
      // Eigenvectors: A v = λ v and orthonormal rows (repeated eigenvalues make the rows themselves arbitrary).
      const a = denseTridiagonal(d, e);
      for (let j = 0; j < k; j++) {
        const v = ours.vectors.subarray(j * k, (j + 1) * k);
        const av = Float64Array.from({ length: k }, (_, i) => v.reduce((s, x, c) => s + a[i * k + c]! * x, 0));
        expect(maxAbsDiff(av, v.map((x) => ours.values[j]! * x))).toBeLessThan(1e-11 * scale);
        for (let l = 0; l < k; l++) {
          const w = ours.vectors.subarray(l * k, (l + 1) * k);
          expect(Math.abs(v.reduce((s, x, c) => s + x * w[c]!, 0) - (j === l ? 1 : 0))).toBeLessThan(1e-12);
        }
      }
    });
  }

  it("refuses an off-diagonal of the wrong length", () => {
    expect(() => tridiagonalEigen(f64([1, 2]), f64([1, 2]))).toThrow(ShapeError);
  });
});

describe("cholesky", () => {
  for (const c of fixtures.spd) {
    it(`solves A X = B like numpy for n = ${c.n}`, () => {
      const x = choleskySolve(choleskyFactor(f64(c.a), c.n), c.n, f64(c.b), 3);
      const scale = Math.max(...c.x.map(Math.abs));
      expect(maxAbsDiff(x, c.x) / scale).toBeLessThan(1e-9);
    });
  }

  it("refuses a matrix that is not positive definite", () => {
    expect(() => choleskyFactor(f64([1, 2, 2, 1]), 2)).toThrow(NotPositiveDefiniteError);
  });

  it("refuses a right-hand side of the wrong size with a ShapeError", () => {
    const l = choleskyFactor(f64([4, 0, 0, 9]), 2);
    expect(() => choleskySolve(l, 2, f64([1, 2, 3]))).toThrow(ShapeError);
  });
});

describe("orthonormalColumns", () => {
  it("returns orthonormal columns with the same span and a positive diagonal", () => {
    const m = 7;
    const k = 3;
    const a = Float64Array.from({ length: m * k }, (_, i) => Math.sin(i * 1.7) + (i % k === 1 ? 1e-4 * i : 0));
    const q = orthonormalColumns(a, m, k);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let r = 0; r < m; r++) s += q[r * k + i]! * q[r * k + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
      let along = 0;
      for (let r = 0; r < m; r++) along += q[r * k + i]! * a[r * k + i]!;
      expect(along).toBeGreaterThan(0);
    }
    // Each column of a is reproduced by its projection onto span(Q).
    for (let j = 0; j < k; j++) {
      const col = Array.from({ length: m }, (_, r) => a[r * k + j]!);
      const proj = new Float64Array(m);
      for (let i = 0; i < k; i++) {
        const c = col.reduce((s, x, r) => s + x * q[r * k + i]!, 0);
        for (let r = 0; r < m; r++) proj[r]! += c * q[r * k + i]!;
      }
      expect(maxAbsDiff(proj, col)).toBeLessThan(1e-12);
    }
  });

  it("refuses dependent columns", () => {
    expect(() => orthonormalColumns(f64([1, 2, 2, 4, 3, 6]), 3, 2)).toThrow(RankDeficientError);
  });
});

describe("topRightSingularVectors", () => {
  for (const c of fixtures.svd) {
    it(`finds the top ${c.r} right singular vectors of a ${c.n}×${c.m} matrix like numpy`, () => {
      const top = topRightSingularVectors(f64(c.a), c.n, c.m, c.r);
      expect(top.count).toBe(c.r);
      expect(maxAbsDiff(top.values, c.values)).toBeLessThan(1e-9 * c.values[0]!);
      rowsAgreeUpToSign(top.vectors, f64(c.vectors), c.r, 1e-7);
    });
  }

  it("returns fewer vectors than asked when the matrix has lower rank", () => {
    const a = f64([1, 2, 3, 2, 4, 6]);
    const top = topRightSingularVectors(a, 2, 3, 2);
    expect(top.count).toBe(1);
  });

  it("does not depend on the order of the rows", () => {
    const c = fixtures.svd[0]!;
    const a = f64(c.a);
    const reversed = new Float64Array(a.length);
    for (let i = 0; i < c.n; i++) reversed.set(a.subarray(i * c.m, (i + 1) * c.m), (c.n - 1 - i) * c.m);
    const one = topRightSingularVectors(a, c.n, c.m, c.r);
    const two = topRightSingularVectors(reversed, c.n, c.m, c.r);
    rowsAgreeUpToSign(one.vectors, two.vectors, c.r, 1e-8);
  });
});

describe("conv2dSame", () => {
  const c = fixtures.conv;
  const input = { data: f64(c.input), shape: c.inputShape };
  const weight = { data: f64(c.weight), shape: c.weightShape };

  it("matches torch conv2d with padding 1", () => {
    expect(maxAbsDiff(conv2dSame(input, weight).data, c.output)).toBeLessThan(1e-12);
  });

  it("is the sum of its per-channel parts", () => {
    const a = conv2dSame(input, weight, { channels: [0, 2] }).data;
    const b = conv2dSame(input, weight, { channels: [1] }).data;
    expect(maxAbsDiff(a.map((x, i) => x + b[i]!), c.output)).toBeLessThan(1e-12);
  });

  it("equals the patch matrix times the flattened kernel at every location", () => {
    const [, h, w] = c.inputShape as [number, number, number];
    const locations = Array.from({ length: h * w }, (_, i) => i);
    const patches = patchMatrix(input, locations, 3, 3);
    const n = 27;
    for (let o = 0; o < 4; o++) {
      for (const q of locations) {
        let s = 0;
        for (let j = 0; j < n; j++) s += patches[q * n + j]! * c.weight[o * n + j]!;
        expect(s).toBeCloseTo(c.output[o * h * w + q]!, 10);
      }
    }
  });

  it("refuses a weight whose input channels do not match", () => {
    expect(() => conv2dSame(input, { data: new Float64Array(4 * 2 * 9), shape: [4, 2, 3, 3] })).toThrow(ShapeError);
  });

  it("projects channels as D K", () => {
    const d = { data: f64([1, 0, 0, 0, 2, -1]), shape: [2, 3] };
    const p = projectChannels(input, d).data;
    const hw = 30;
    expect(p[5]).toBeCloseTo(c.input[5]!, 14);
    expect(p[hw + 7]).toBeCloseTo(2 * c.input[hw + 7]! - c.input[2 * hw + 7]!, 14);
  });
});
