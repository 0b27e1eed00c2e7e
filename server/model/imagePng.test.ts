import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";

import { encodePng, imageGrid, imageToRgba, writeGridPng } from "./imagePng";
import type { Tensor } from "./tensor";

/** N images of 2×2 pixels whose red channel is the sample index / 10. */
function batch(count: number): Tensor {
  const data = new Float32Array(count * 3 * 4);
  for (let n = 0; n < count; n++) data.fill(n / 10, n * 12, n * 12 + 4);
  return { data, shape: [count, 3, 2, 2] };
}

describe("imageToRgba", () => {
  it("maps [-1, 1] to 0..255, clamps outliers and makes pixels opaque", () => {
    const image: Tensor = {
      data: Float32Array.from([-1, 0, 1, 3, /* g */ -2, 0.5, 0, 0, /* b */ 0, 0, 0, -1]),
      shape: [1, 3, 2, 2],
    };
    const { width, height, data } = imageToRgba(image, 0);
    expect([width, height]).toEqual([2, 2]);
    expect(Array.from(data)).toEqual([
      0, 0, 128, 255, /**/ 128, 191, 128, 255, /**/ 255, 128, 128, 255, /**/ 255, 128, 0, 255,
    ]);
  });

  it("refuses images that are not RGB", () => {
    expect(() => imageToRgba({ data: new Float32Array(8), shape: [1, 2, 2, 2] }, 0)).toThrow(/expected/);
  });
});

describe("imageGrid", () => {
  it("tiles samples row by row, scaled, with gaps between tiles", () => {
    const grid = imageGrid(batch(5), { columns: 3, scale: 2, gap: 1 });
    expect([grid.width, grid.height]).toEqual([3 * 4 + 2, 2 * 4 + 1]);
    const redAt = (x: number, y: number) => grid.data[(y * grid.width + x) * 4];
    expect(redAt(3, 3)).toBe(128); // sample 0, last pixel of its tile
    expect(redAt(4, 0)).toBe(0); // gap
    expect(redAt(5, 0)).toBe(Math.round(1.1 * 127.5)); // sample 1
    expect(redAt(0, 5)).toBe(Math.round(1.3 * 127.5)); // sample 3 starts row 2
    expect(redAt(5, 5)).toBe(Math.round(1.4 * 127.5)); // sample 4
    expect(redAt(13, 8)).toBe(0); // no sample 5: background
  });

  it("defaults to a square-ish grid", () => {
    const grid = imageGrid(batch(16));
    expect([grid.width, grid.height]).toEqual([4 * 2 + 3 * 2, 4 * 2 + 3 * 2]);
  });

  it("refuses an empty batch and non-integer options", () => {
    expect(() => imageGrid(batch(0))).toThrow(/empty/);
    expect(() => imageGrid(batch(2), { scale: 1.5 })).toThrow(/scale/);
    expect(() => imageGrid(batch(2), { columns: 0 })).toThrow(/columns/);
    expect(() => imageGrid(batch(2), { gap: -1 })).toThrow(/gap/);
  });
});

describe("encodePng", () => {
  it("writes a PNG that decodes to the same pixels", () => {
    const grid = imageGrid(batch(3), { scale: 3 });
    const decoded = PNG.sync.read(encodePng(grid));
    expect([decoded.width, decoded.height]).toEqual([grid.width, grid.height]);
    expect(new Uint8Array(decoded.data)).toEqual(grid.data);
  });
});

describe("writeGridPng", () => {
  it("writes the grid to a file and returns its size", async () => {
    const directory = await mkdtemp(join(tmpdir(), "rewrite-png-"));
    try {
      const path = join(directory, "grid.png");
      const size = await writeGridPng(path, batch(4), { scale: 2, gap: 0 });
      expect(size).toEqual({ width: 8, height: 8 });
      const decoded = PNG.sync.read(await readFile(path));
      expect(new Uint8Array(decoded.data)).toEqual(imageGrid(batch(4), { scale: 2, gap: 0 }).data);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
