import { ShapeError } from "./errors";

/** A dense float32 tensor, row-major, as onnxruntime lays it out. */
export interface Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** The number of elements a tensor of `shape` holds. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((product, extent) => product * extent, 1);
}

/** Throws a ShapeError unless `data` holds exactly `shape`'s element count. */
export function assertLength(
  what: string,
  data: ArrayLike<number>,
  shape: readonly number[],
): void {
  if (data.length !== shapeSize(shape)) {
    throw new ShapeError(`${what} has ${data.length} values`, shape, [
      data.length,
    ]);
  }
}

/** Sample `index` of a batched tensor `[N, ...rest]`, as a view. */
export function batchItem(tensor: Tensor, index: number): Tensor {
  const [count = 0, ...rest] = tensor.shape;
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`sample ${index} is outside a batch of ${count}`);
  }
  const size = shapeSize(rest);
  return {
    data: tensor.data.subarray(index * size, (index + 1) * size),
    shape: rest,
  };
}
