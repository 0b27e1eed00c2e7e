/**
 * Turns weight inputs of an ONNX model into initializers: the exported
 * graph takes only `z` and carries the edited weights inside.
 *
 * This edits the protobuf at the wire level rather than decoding the whole
 * model, so every field we do not touch (nodes, opsets, metadata) is copied
 * byte for byte. Field numbers are those of onnx.proto:
 * ModelProto.graph = 7; GraphProto.initializer = 5, .input = 11;
 * ValueInfoProto.name = 1; TensorProto.dims = 1, .data_type = 2 (FLOAT = 1),
 * .name = 8, .raw_data = 9 (little-endian).
 */

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const VALUE_INFO_NAME = 1;
const TENSOR_DIMS = 1;
const TENSOR_DATA_TYPE = 2;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;
const TENSOR_FLOAT = 1;

export interface FrozenWeight {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

interface Field {
  readonly number: number;
  readonly wire: number;
  /** The whole field: key and value. */
  readonly raw: Uint8Array;
  /** The payload of a length-delimited field. */
  readonly body: Uint8Array | null;
}

/**
 * A copy of `model` (ONNX bytes) where each graph input named in
 * `weights` is removed and added as an initializer holding its value.
 * Throws if an input named in `weights` does not exist.
 */
export function freezeWeightInputs(
  model: Uint8Array,
  weights: Readonly<Record<string, FrozenWeight>>,
): Uint8Array {
  const fields = readFields(model);
  const graphs = fields.filter((f) => f.number === MODEL_GRAPH && f.wire === WIRE_LEN);
  if (graphs.length !== 1) throw new Error("the model must have exactly one graph");
  return concat(
    fields.map((field) =>
      field === graphs[0] ? lengthField(MODEL_GRAPH, freezeInGraph(field.body!, weights)) : field.raw,
    ),
  );
}

function freezeInGraph(graph: Uint8Array, weights: Readonly<Record<string, FrozenWeight>>): Uint8Array {
  const remaining = new Set(Object.keys(weights));
  const kept: Uint8Array[] = [];
  for (const field of readFields(graph)) {
    if (field.number === GRAPH_INPUT && field.wire === WIRE_LEN) {
      const name = stringField(field.body!, VALUE_INFO_NAME);
      if (name !== null && remaining.delete(name)) continue;
    }
    kept.push(field.raw);
  }
  if (remaining.size > 0) throw new Error(`graph has no input ${[...remaining].join(", ")}`);
  for (const [name, weight] of Object.entries(weights)) {
    kept.push(lengthField(GRAPH_INITIALIZER, tensorProto(name, weight)));
  }
  return concat(kept);
}

function tensorProto(name: string, weight: FrozenWeight): Uint8Array {
  const size = weight.shape.reduce((a, b) => a * b, 1);
  if (size !== weight.data.length) throw new Error(`${name}: data does not fit [${weight.shape}]`);
  const raw = new Uint8Array(weight.data.length * 4);
  const view = new DataView(raw.buffer);
  weight.data.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return concat([
    ...weight.shape.map((d) => concat([varint(key(TENSOR_DIMS, WIRE_VARINT)), varint(d)])),
    varint(key(TENSOR_DATA_TYPE, WIRE_VARINT)),
    varint(TENSOR_FLOAT),
    lengthField(TENSOR_NAME, new TextEncoder().encode(name)),
    lengthField(TENSOR_RAW_DATA, raw),
  ]);
}

/** The first string-valued field `number` of a message, or null. */
function stringField(message: Uint8Array, number: number): string | null {
  const field = readFields(message).find((f) => f.number === number && f.wire === WIRE_LEN);
  return field === undefined ? null : new TextDecoder().decode(field.body!);
}

function readFields(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const start = offset;
    const [k, afterKey] = readVarint(bytes, offset);
    const number = Math.floor(k / 8);
    const wire = k % 8;
    let end: number;
    let body: Uint8Array | null = null;
    switch (wire) {
      case WIRE_VARINT:
        end = readVarint(bytes, afterKey)[1];
        break;
      case WIRE_I64:
        end = afterKey + 8;
        break;
      case WIRE_I32:
        end = afterKey + 4;
        break;
      case WIRE_LEN: {
        const [length, afterLength] = readVarint(bytes, afterKey);
        end = afterLength + length;
        body = bytes.subarray(afterLength, end);
        break;
      }
      default:
        throw new Error(`unsupported protobuf wire type ${wire}`);
    }
    if (end > bytes.length || number === 0) throw new Error("truncated or corrupt protobuf");
    fields.push({ number, wire, raw: bytes.subarray(start, end), body });
    offset = end;
  }
  return fields;
}

function readVarint(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = offset; i < bytes.length && i < offset + 10; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return [value, i + 1];
  }
  throw new Error("bad varint in protobuf");
}

function varint(value: number): Uint8Array {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

function key(number: number, wire: number): number {
  return number * 8 + wire;
}

function lengthField(number: number, body: Uint8Array): Uint8Array {
  return concat([varint(key(number, WIRE_LEN)), varint(body.length), body]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
