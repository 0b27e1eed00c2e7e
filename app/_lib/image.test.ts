import { describe, expect, it } from "vitest";
import { rgbaFromImageTensor } from "./image";

describe("generator images as RGBA", () => {
  it("maps -1 to 0, 1 to 255 and keeps channels apart", () => {
    // One 1×1 image: r = -1, g = 0, b = 1.
    const rgba = rgbaFromImageTensor(Float32Array.from([-1, 0, 1]), 0, 1);
    expect([...rgba]).toEqual([0, 128, 255, 255]);
  });

  it("reads the requested image of a batch, planar to interleaved", () => {
    const size = 2;
    const batch = new Float32Array(2 * 3 * size * size).fill(-1);
    batch.fill(1, 12 + 4, 12 + 8); // image 1, green plane
    const rgba = rgbaFromImageTensor(batch, 1, size);
    expect([...rgba.slice(0, 4)]).toEqual([0, 255, 0, 255]);
    expect([...rgbaFromImageTensor(batch, 0, size).slice(0, 4)]).toEqual([
      0, 0, 0, 255,
    ]);
  });

  it("clamps values outside [-1, 1] and refuses images past the batch", () => {
    const rgba = rgbaFromImageTensor(Float32Array.from([-3, 3, 0]), 0, 1);
    expect([...rgba.slice(0, 2)]).toEqual([0, 255]);
    expect(() => rgbaFromImageTensor(new Float32Array(3), 1, 1)).toThrow(RangeError);
  });
});
