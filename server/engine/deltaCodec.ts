/**
 * Bytes of a solved delta (Λ and D of one rule, without its strength) as
 * stored in SQLite: "RWD1", a u32 little-endian header length, the header
 * JSON `{ layer, D, lambda }` (shapes), then D and Λ as float64 LE.
 */
import { shapeSize } from "@/shared/linalg/tensor";
import type { RewriteDelta } from "@/shared/rewrite";

const MAGIC = "RWD1";

/** A delta as stored: its strength is applied when composing. */
export type StoredDeltaValue = Omit<RewriteDelta, "strength">;

export function encodeDelta(delta: StoredDeltaValue): Uint8Array {
  const header = Buffer.from(
    JSON.stringify({ layer: delta.layer, D: delta.D.shape, lambda: delta.lambda.shape }),
  );
  const d = Float64Array.from(delta.D.data);
  const lambda = Float64Array.from(delta.lambda.data);
  const out = Buffer.alloc(8 + header.length + 8 * (d.length + lambda.length));
  out.write(MAGIC, 0, "ascii");
  out.writeUInt32LE(header.length, 4);
  header.copy(out, 8);
  let offset = 8 + header.length;
  for (const value of d) offset = out.writeDoubleLE(value, offset);
  for (const value of lambda) offset = out.writeDoubleLE(value, offset);
  return out;
}

export function decodeDelta(bytes: Uint8Array): StoredDeltaValue {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.toString("ascii", 0, 4) !== MAGIC) throw new Error("not a stored delta");
  const headerLength = buffer.readUInt32LE(4);
  const header = JSON.parse(buffer.toString("utf8", 8, 8 + headerLength)) as {
    layer: string;
    D: number[];
    lambda: number[];
  };
  let offset = 8 + headerLength;
  const read = (shape: number[]) => {
    const data = new Float64Array(shapeSize(shape));
    for (let i = 0; i < data.length; i++, offset += 8) data[i] = buffer.readDoubleLE(offset);
    return { data, shape };
  };
  const D = read(header.D);
  const lambda = read(header.lambda);
  if (offset !== buffer.length) throw new Error("stored delta has trailing bytes");
  return { layer: header.layer, D, lambda };
}
