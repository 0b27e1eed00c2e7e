import { describe, expect, it } from "vitest";
import {
  emptyMask,
  isEmptyMask,
  maskArea,
  maskFromBytes,
  MaskError,
  paintDisc,
  paintStroke,
} from "./mask";

describe("brush masks", () => {
  it("a disc paints exactly the pixels whose centres lie within the radius", () => {
    const mask = paintDisc(emptyMask(8), { x: 4, y: 4 }, 1, true);
    const painted = [...mask.data.keys()].filter((i) => mask.data[i] === 1);
    expect(painted.map((i) => [i % 8, Math.floor(i / 8)])).toEqual([
      [3, 3],
      [4, 3],
      [3, 4],
      [4, 4],
    ]);
  });

  it("painting never changes the mask it was given", () => {
    const before = emptyMask(16);
    paintDisc(before, { x: 8, y: 8 }, 4, true);
    expect(isEmptyMask(before)).toBe(true);
  });

  it("erasing with the same disc restores an empty mask", () => {
    const painted = paintDisc(emptyMask(), { x: 10, y: 20 }, 5, true);
    const erased = paintDisc(painted, { x: 10, y: 20 }, 5, false);
    expect(maskArea(painted)).toBeGreaterThan(50);
    expect(isEmptyMask(erased)).toBe(true);
  });

  it("a fast stroke leaves no gap between its ends", () => {
    const stroke = paintStroke(emptyMask(), { x: 2, y: 30 }, { x: 60, y: 30 }, 1, true);
    for (let x = 2; x < 60; x++) expect(stroke.data[30 * 64 + x]).toBe(1);
  });

  it("discs at the border are clipped, not wrapped", () => {
    const mask = paintDisc(emptyMask(8), { x: 0, y: 0 }, 3, true);
    expect(mask.data[7]).toBe(0);
    expect(mask.data[7 * 8]).toBe(0);
    expect(mask.data[0]).toBe(1);
  });

  it("rejects bytes of the wrong length or value", () => {
    expect(() => maskFromBytes(new Uint8Array(10), 4)).toThrow(MaskError);
    expect(() => maskFromBytes(new Uint8Array(4).fill(2), 2)).toThrow(MaskError);
  });
});
