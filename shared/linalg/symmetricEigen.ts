/**
 * Symmetric eigendecomposition in float64, `A = E diag(λ) Eᵀ`, through
 * ml-matrix (Householder tridiagonalisation and implicit QL).
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { ShapeError } from "./tensor";

export interface SymmetricEigen {
  /** Eigenvalues in descending order. */
  readonly values: Float64Array;
  /** Eigenvectors as the rows of an n×n row-major matrix, in the order of `values`. */
  readonly vectors: Float64Array;
  readonly n: number;
}

/**
 * Eigenvalues (descending) and orthonormal eigenvectors of the symmetric
 * n×n matrix `a`. Only the lower triangle's symmetry is assumed, not checked;
 * the input is symmetrised as (A + Aᵀ)/2 first.
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new ShapeError("symmetricEigen input", [n, n], [a.length]);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n);
    for (let j = 0; j < n; j++) row[j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
    rows.push(row);
  }
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const ascending = evd.realEigenvalues;
  const e = evd.eigenvectorMatrix;

  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const src = n - 1 - k;
    values[k] = ascending[src]!;
    for (let i = 0; i < n; i++) vectors[k * n + i] = e.get(i, src);
  }
  return { values, vectors, n };
}
