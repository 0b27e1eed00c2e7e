/**
 * Conversion of generator output to displayable pixels.
 *
 * The generator writes `image` as an N×3×S×S float tensor in [-1, 1]
 * (channel-planar); a canvas wants S×S RGBA bytes, interleaved.
 */

/** RGBA bytes of image `index` of an N×3×S×S batch in [-1, 1]. */
export function rgbaFromImageTensor(
  data: Float32Array,
  index: number,
  size: number,
): Uint8ClampedArray {
  const plane = size * size;
  const offset = index * 3 * plane;
  if (index < 0 || offset + 3 * plane > data.length) {
    throw new RangeError(
      `image ${index} of side ${size} lies outside a tensor of ${data.length} values`,
    );
  }
  const rgba = new Uint8ClampedArray(plane * 4);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = data[offset + c * plane + p]!;
      rgba[p * 4 + c] = Math.round((v + 1) * 127.5);
    }
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}
