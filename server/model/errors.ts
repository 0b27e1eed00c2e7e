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
  | "segmenter-missing"
  | "render-unavailable";

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
