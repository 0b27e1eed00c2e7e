import { describe, expect, it } from "vitest";

import { SecondMomentFactor } from "./secondMoment";

/** A fixed SPD matrix: Bᵀ B + I from a seeded stream. */
function spd(m: number): Float64Array {
  let state = 7;
  const next = () => ((state = (state * 48271) % 2147483647) / 2147483647) * 2 - 1;
  const b = Float64Array.from({ length: m * m }, next);
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < m; k++) s += b[k * m + i]! * b[k * m + j]!;
      c[i * m + j] = s;
    }
  }
  return c;
}

describe("SecondMomentFactor.whitenRows", () => {
  const m = 6;
  const factor = new SecondMomentFactor({ data: spd(m), shape: [m, m] });

  it("equals Z k row by row, scaled, for every row count (blocks of four and the rest)", () => {
    for (let n = 0; n <= 9; n++) {
      const keys = Float64Array.from({ length: n * m }, (_, i) => Math.sin(i + 1) * (i % 5));
      const scales = Float64Array.from({ length: n }, (_, r) => (r % 3 === 0 ? 1 : 0.25 * r));
      const rows = factor.whitenRows(keys, n, scales);
      expect(rows.length).toBe(n * m);
      for (let r = 0; r < n; r++) {
        const expected = factor.whiten(keys.subarray(r * m, (r + 1) * m));
        for (let j = 0; j < m; j++) expect(rows[r * m + j]).toBeCloseTo(scales[r]! * expected[j]!, 12);
      }
    }
  });

  it("refuses keys or scales that do not fit n rows", () => {
    expect(() => factor.whitenRows(new Float64Array(2 * m - 1), 2)).toThrow(/keys to whiten/);
    expect(() => factor.whitenRows(new Float64Array(2 * m), 2, [1])).toThrow(/row scales/);
  });

  it("whitens: the rows of Z C Z are the identity's", () => {
    const c = spd(m);
    const zc = factor.whitenRows(c, m);
    const zcz = factor.whitenRows(Float64Array.from({ length: m * m }, (_, k) => zc[(k % m) * m + Math.floor(k / m)]!), m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) expect(zcz[i * m + j]).toBeCloseTo(i === j ? 1 : 0, 9);
  });
});
