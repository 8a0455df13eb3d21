/**
 * A minimal ONNX protobuf writer for tests: enough of ModelProto to build tiny graphs (a few standard
 * operators, float/int64 initializers, named inputs/outputs with fixed or symbolic dims) that ONNX Runtime
 * loads like any exported model. No Python onnx package needed.
 */

type Bytes = Buffer;

function varint(n: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}

const key = (field: number, wire: 0 | 2) => varint((field << 3) | wire);
const int = (field: number, v: number | bigint) => Buffer.concat([key(field, 0), varint(v)]);
const bytes = (field: number, b: Bytes) => Buffer.concat([key(field, 2), varint(b.length), b]);
const str = (field: number, s: string) => bytes(field, Buffer.from(s, 'utf8'));
const msg = (field: number, parts: Bytes[]) => bytes(field, Buffer.concat(parts));

export type Dim = number | string;

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integer or integer-list attributes (axes, keepdims...). */
  attrs?: Record<string, number | number[]>;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** float32 unless `int64` is set. */
  data: Float32Array | number[];
  int64?: boolean;
}

/** ONNX TensorProto data types used here. */
export const ELEM = { float: 1, uint8: 2, int64: 7, float16: 10 } as const;

export interface OnnxValue {
  name: string;
  shape: Dim[];
  /** Element type (ELEM), float by default. */
  elem?: number;
}

export interface OnnxGraph {
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  nodes: OnnxNode[];
  initializers?: OnnxTensor[];
  opset?: number;
}

function valueInfo(field: number, v: OnnxValue): Bytes {
  const dims = v.shape.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]));
  const tensorType = msg(1, [int(1, v.elem ?? ELEM.float), msg(2, dims)]); // elem_type, shape
  return msg(field, [str(1, v.name), msg(2, [tensorType])]);
}

function attribute(name: string, v: number | number[]): Bytes {
  return Array.isArray(v)
    ? msg(5, [str(1, name), int(20, 7), ...v.map((x) => int(8, x))]) // INTS
    : msg(5, [str(1, name), int(20, 2), int(3, v)]); // INT
}

function tensor(t: OnnxTensor): Bytes {
  const raw = t.int64 ? Buffer.from(BigInt64Array.from((t.data as number[]).map((x) => BigInt(x))).buffer) : Buffer.from(Float32Array.from(t.data).buffer);
  return msg(5, [...t.dims.map((d) => int(1, d)), int(2, t.int64 ? 7 : 1), str(8, t.name), bytes(9, raw)]);
}

export function buildOnnx(g: OnnxGraph): Buffer {
  const nodes = g.nodes.map((n, i) => msg(1, [...n.inputs.map((x) => str(1, x)), ...n.outputs.map((x) => str(2, x)), str(3, `n${i}`), str(4, n.op), ...Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v))]));
  const graph = msg(7, [...nodes, str(2, 'test'), ...(g.initializers ?? []).map(tensor), ...g.inputs.map((v) => valueInfo(11, v)), ...g.outputs.map((v) => valueInfo(12, v))]);
  return Buffer.concat([int(1, 8), graph, msg(8, [str(1, ''), int(2, g.opset ?? 13)])]);
}
