import {
  ShapeError,
  shapeSize,
  sliceFirst,
  type Tensor as FloatTensor,
} from "../../shared/linalg/tensor";

export { ShapeError, shapeSize, sliceFirst };

/** A dense float32 tensor, row-major, as onnxruntime lays it out. */
export type Tensor = FloatTensor<Float32Array>;

/** Throws a ShapeError unless `data` holds exactly `shape`'s element count. */
export function assertLength(
  what: string,
  data: ArrayLike<number>,
  shape: readonly number[],
): void {
  if (data.length !== shapeSize(shape)) {
    throw new ShapeError(`${what} (${data.length} values)`, shape, [data.length]);
  }
}
