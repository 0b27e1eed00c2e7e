/**
 * Dense row-major tensors with explicit shapes, the currency of the math
 * modules. The layout matches onnxruntime's `Tensor(type, data, dims)`, so
 * model outputs pass in without a copy.
 */

export type FloatArray = Float32Array | Float64Array;

export interface Tensor<T extends FloatArray = FloatArray> {
  readonly data: T;
  readonly shape: readonly number[];
}

/** A shape or size did not match what a function needs. */
export class ShapeError extends RangeError {
  readonly code = "shape-mismatch" as const;

  constructor(
    what: string,
    readonly expected: readonly (number | string)[],
    readonly actual: readonly number[],
  ) {
    super(`${what}: expected shape [${expected.join(", ")}], got [${actual.join(", ")}]`);
    this.name = "ShapeError";
  }
}

/** Number of elements of a shape. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Checks that `tensor` has the given shape; `-1` in `expected` matches any
 * size. Also checks that the data length agrees with the shape.
 */
export function assertShape(
  what: string,
  tensor: Tensor,
  expected: readonly number[],
): void {
  const ok =
    tensor.shape.length === expected.length &&
    expected.every((d, i) => d === -1 || d === tensor.shape[i]) &&
    tensor.data.length === shapeSize(tensor.shape);
  if (!ok) {
    const shown = expected.map((d) => (d === -1 ? "*" : d));
    throw new ShapeError(what, shown, tensor.shape);
  }
}

/** A float64 tensor of zeros. */
export function zeros64(shape: readonly number[]): Tensor<Float64Array> {
  return { data: new Float64Array(shapeSize(shape)), shape: [...shape] };
}

/** A square float64 matrix as a tensor, from a flat row-major array. */
export function squareMatrix(
  data: Float64Array,
  n: number,
): Tensor<Float64Array> {
  if (data.length !== n * n) throw new ShapeError("square matrix", [n, n], [data.length]);
  return { data, shape: [n, n] };
}

/** The `index`-th slice along the first axis, sharing memory. */
export function sliceFirst<T extends FloatArray>(
  tensor: Tensor<T>,
  index: number,
): Tensor<T> {
  const [n, ...rest] = tensor.shape;
  if (n === undefined || index < 0 || index >= n) {
    throw new RangeError(`slice ${index} out of range for shape [${tensor.shape.join(", ")}]`);
  }
  const size = shapeSize(rest);
  const data = tensor.data.subarray(index * size, (index + 1) * size) as T;
  return { data, shape: rest };
}
