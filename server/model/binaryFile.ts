import { readFile, rename, writeFile } from "node:fs/promises";

/**
 * Little-endian float files as the Python export writes them. Typed arrays
 * use the host's byte order, which is little-endian on every platform we run
 * (x86-64, arm64).
 */

/** Reads `path` as exactly `length` float32 values. */
export async function readFloat32File(
  path: string,
  length: number,
): Promise<Float32Array> {
  return new Float32Array(await readExact(path, length * 4));
}

/** Reads `path` as exactly `length` float64 values. */
export async function readFloat64File(
  path: string,
  length: number,
): Promise<Float64Array> {
  return new Float64Array(await readExact(path, length * 8));
}

/** Writes `values` to `path` through a temporary file, so readers never see half of it. */
export async function writeFileAtomic(
  path: string,
  contents: string | Uint8Array,
): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

/** The bytes of a typed array, without copying. */
export function bytesOf(values: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

async function readExact(path: string, byteLength: number): Promise<ArrayBuffer> {
  const bytes = await readFile(path);
  if (bytes.byteLength !== byteLength) {
    throw new FileSizeError(path, byteLength, bytes.byteLength);
  }
  // Copy into a fresh, aligned buffer: Node may hand back a pooled slice.
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + byteLength) as ArrayBuffer;
}

/** A binary file whose size does not match the shape it should hold. */
export class FileSizeError extends RangeError {
  readonly code = "file-size" as const;

  constructor(
    readonly path: string,
    readonly expectedBytes: number,
    readonly actualBytes: number,
  ) {
    super(`${path} holds ${actualBytes} bytes, expected ${expectedBytes}`);
    this.name = "FileSizeError";
  }
}
