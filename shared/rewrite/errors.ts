/**
 * Errors the rewrite engine expects and that a caller should show to the
 * user. Anything else thrown from here is a bug.
 */

export type RewriteErrorCode =
  | "invalid-rule"
  | "unknown-layer"
  | "empty-mask"
  | "context-too-small"
  | "inactive-context"
  | "invalid-input";

export class RewriteError extends Error {
  constructor(
    readonly code: RewriteErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "RewriteError";
  }
}

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `context.2.mask`. */
  readonly field: string;
  readonly message: string;
}

/** A rule failed validation; every issue names its field. */
export class RuleValidationError extends RewriteError {
  constructor(readonly issues: readonly FieldIssue[]) {
    super("invalid-rule", issues.map((i) => `${i.field}: ${i.message}`).join("; "));
    this.name = "RuleValidationError";
  }
}
