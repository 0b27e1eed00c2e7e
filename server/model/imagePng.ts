import { PNG } from "pngjs";

import { writeFileAtomic } from "./binaryFile";
import { ShapeError, sliceFirst, type Tensor } from "./tensor";

/** 8-bit RGBA pixels, row-major, 4 bytes per pixel. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface GridOptions {
  /** Tiles per row; default ⌈√N⌉. */
  readonly columns?: number;
  /** Integer nearest-neighbour enlargement of every tile; default 1. */
  readonly scale?: number;
  /** Black pixels between tiles (after scaling); default 2. */
  readonly gap?: number;
}

/**
 * Sample `index` of an image batch [N, 3, H, W] with values in [-1, 1] as
 * opaque RGBA: byte = round((x + 1) · 127.5), clamped to 0..255.
 */
export function imageToRgba(images: Tensor, index: number): RgbaImage {
  const [channels, height = 0, width = 0] = sliceFirst(images, index).shape;
  if (channels !== 3) throw new ShapeError("image", ["N", 3, height, width], images.shape);
  const plane = height * width;
  const pixels = sliceFirst(images, index).data;
  const data = new Uint8Array(plane * 4);
  for (let p = 0; p < plane; p++) {
    data[p * 4] = toByte(pixels[p]!);
    data[p * 4 + 1] = toByte(pixels[plane + p]!);
    data[p * 4 + 2] = toByte(pixels[2 * plane + p]!);
    data[p * 4 + 3] = 255;
  }
  return { width, height, data };
}

/** The whole batch tiled row by row, first sample at the top left. */
export function imageGrid(images: Tensor, options: GridOptions = {}): RgbaImage {
  const [count = 0, , height = 0, width = 0] = images.shape;
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  const scale = options.scale ?? 1;
  const gap = options.gap ?? 2;
  if (count === 0) throw new RangeError("cannot tile an empty batch");
  const minimum = { columns: 1, scale: 1, gap: 0 };
  for (const [name, value] of Object.entries({ columns, scale, gap })) {
    if (!Number.isInteger(value) || value < minimum[name as keyof typeof minimum]) {
      throw new RangeError(`${name} must be an integer ≥ ${minimum[name as keyof typeof minimum]}, got ${value}`);
    }
  }
  const rows = Math.ceil(count / columns);
  const tileW = width * scale;
  const tileH = height * scale;
  const grid = blank(columns * (tileW + gap) - gap, rows * (tileH + gap) - gap);
  for (let n = 0; n < count; n++) {
    const left = (n % columns) * (tileW + gap);
    const top = Math.floor(n / columns) * (tileH + gap);
    paste(grid, imageToRgba(images, n), left, top, scale);
  }
  return grid;
}

/** PNG file bytes of an RGBA image. */
export function encodePng(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data.set(image.data);
  return PNG.sync.write(png);
}

/** Writes the batch as one grid PNG (see imageGrid); returns its size. */
export async function writeGridPng(
  path: string,
  images: Tensor,
  options: GridOptions = {},
): Promise<{ width: number; height: number }> {
  const grid = imageGrid(images, options);
  await writeFileAtomic(path, encodePng(grid));
  return { width: grid.width, height: grid.height };
}

function toByte(value: number): number {
  return Math.min(255, Math.max(0, Math.round((value + 1) * 127.5)));
}

function blank(width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width, height, data };
}

function paste(
  target: RgbaImage,
  tile: RgbaImage,
  left: number,
  top: number,
  scale: number,
): void {
  for (let y = 0; y < tile.height * scale; y++) {
    for (let x = 0; x < tile.width * scale; x++) {
      const from = (Math.floor(y / scale) * tile.width + Math.floor(x / scale)) * 4;
      const to = ((top + y) * target.width + left + x) * 4;
      target.data.set(tile.data.subarray(from, from + 4), to);
    }
  }
}
