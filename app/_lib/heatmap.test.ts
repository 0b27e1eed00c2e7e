import { describe, expect, it } from "vitest";
import { heatmapOverlays, upsampleCells } from "./heatmap";

describe("context-match heatmaps", () => {
  it("upsampling repeats each cell over its block of pixels", () => {
    const up = upsampleCells([1, 2, 3, 4], 2, 2, 4);
    expect([...up]).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it("highlights only the best-scoring cells, with one threshold for all images", () => {
    const low = Float64Array.from([0, 0, 0, 0]);
    const high = Float64Array.from([0, 0, 0, 10]);
    const [a, b] = heatmapOverlays([low, high], 2, 2, 2, 0.8);
    const highlighted = (rgba: Uint8ClampedArray) => [0, 1, 2, 3].filter((p) => rgba[p * 4] === 250);
    expect(highlighted(a!)).toEqual([]);
    expect(highlighted(b!)).toEqual([3]);
  });

  it("refuses scores that do not fill the map", () => {
    expect(() => upsampleCells([1, 2, 3], 2, 2, 4)).toThrow(RangeError);
  });
});
