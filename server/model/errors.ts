/** What went wrong while loading or running the shipped model. */
export type ModelErrorCode =
  | "model-not-found"
  | "manifest-invalid"
  | "weight-file-invalid"
  | "unknown-layer"
  | "shape-mismatch"
  | "execution-provider-invalid"
  | "stats-missing"
  | "stats-invalid"
  | "stats-stale"
  | "segmenter-missing";

/** A model-side failure with a stable code the server can map to a reply. */
export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ModelError";
  }
}

/** A tensor whose shape or length is not what the model needs. */
export class ShapeError extends RangeError {
  readonly code = "shape-mismatch" as const;

  constructor(
    message: string,
    readonly expected: readonly number[],
    readonly actual: readonly number[],
  ) {
    super(`${message}: expected [${expected}], got [${actual}]`);
    this.name = "ShapeError";
  }
}
