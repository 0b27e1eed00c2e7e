import { describe, expect, it } from "vitest";
import { ShapeError } from "../linalg/tensor";
import { RewriteError } from "./errors";
import {
  boundingBox,
  boxCentre,
  decodeMask,
  encodeMask,
  maskArea,
  maskFromBox,
  maskToCells,
  type BinaryMask,
} from "./mask";

function randomMask(width: number, height: number, seed: number): BinaryMask {
  let s = seed;
  const data = Uint8Array.from({ length: width * height }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % 7 < 3 ? 1 : 0;
  });
  return { width, height, data };
}

describe("mask encoding", () => {
  it("round-trips any mask, including sizes that are not whole bytes", () => {
    for (const [w, h] of [[64, 64], [5, 3], [1, 1], [13, 7]] as const) {
      const mask = randomMask(w, h, w * 31 + h);
      const back = decodeMask(encodeMask(mask));
      expect(back.width).toBe(w);
      expect(back.height).toBe(h);
      expect(Array.from(back.data)).toEqual(Array.from(mask.data));
    }
  });

  it("packs pixels row-major, most significant bit first", () => {
    const mask = { width: 4, height: 2, data: Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 1]) };
    expect(encodeMask(mask).bits).toBe(btoa(String.fromCharCode(0b10000001)));
  });

  it("keeps a 64×64 mask under 700 characters", () => {
    expect(encodeMask(randomMask(64, 64, 3)).bits.length).toBeLessThan(700);
  });

  it("refuses bits of the wrong length or alphabet", () => {
    expect(() => decodeMask({ width: 64, height: 64, bits: "AAAA" })).toThrow(RewriteError);
    expect(() => decodeMask({ width: 8, height: 1, bits: "*" })).toThrow(/base64/);
  });
});

describe("maskToCells", () => {
  it("averages the pixels of each cell", () => {
    const mask = maskFromBox(8, 8, { top: 0, left: 0, bottom: 3, right: 2 });
    const cells = maskToCells(mask, 2, 2);
    expect(Array.from(cells)).toEqual([6 / 16, 0, 0, 0]);
  });

  it("preserves the mask area", () => {
    const mask = randomMask(64, 64, 9);
    const cells = maskToCells(mask, 16, 16);
    expect(cells.reduce((s, v) => s + v, 0) * 16).toBeCloseTo(maskArea(mask), 10);
  });

  it("refuses a map size that does not divide the image", () => {
    expect(() => maskToCells(randomMask(64, 64, 1), 10, 10)).toThrow(ShapeError);
  });
});

describe("boundingBox and boxCentre", () => {
  it("bound the positive cells half-open and floor the centre", () => {
    const cells = new Float64Array(8 * 8);
    cells[2 * 8 + 3] = 0.1;
    cells[4 * 8 + 6] = 1;
    const box = boundingBox(cells, 8, 8);
    expect(box).toEqual({ top: 2, left: 3, bottom: 5, right: 7 });
    expect(boxCentre(box)).toEqual({ y: 3, x: 5 });
  });

  it("give (0, 0, 0, 0) for an empty map", () => {
    expect(boundingBox(new Float64Array(16), 4, 4)).toEqual({ top: 0, left: 0, bottom: 0, right: 0 });
  });
});
