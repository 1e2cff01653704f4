// A hand-encoded ONNX model (y = Relu(x), x: float[4]) used to probe execution providers
// (e.g. "is there a WebGPU adapter?") without depending on the installed model pack.

/** Protobuf wire encoding: a base-128 varint. */
export function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 127) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Protobuf wire encoding: field `num` as a varint (number) or length-delimited bytes (string, bytes). */
export function field(num: number, value: number | string | number[]): number[] {
  if (typeof value === 'number') return [...varint((num << 3) | 0), ...varint(value)];
  const bytes = typeof value === 'string' ? [...Buffer.from(value, 'utf8')] : value;
  return [...varint((num << 3) | 2), ...varint(bytes.length), ...bytes];
}

function valueInfo(name: string): number[] {
  const dim = field(1, field(1, 4));
  const shape = field(2, dim);
  const tensorType = field(1, [...field(1, 1), ...shape]);
  return [...field(1, name), ...field(2, tensorType)];
}

export function tinyReluModel(): Uint8Array {
  const node = [...field(1, 'x'), ...field(2, 'y'), ...field(4, 'Relu')];
  const graph = [...field(1, node), ...field(2, 'probe'), ...field(11, valueInfo('x')), ...field(12, valueInfo('y'))];
  const opset = [...field(1, ''), ...field(2, 13)];
  return Uint8Array.from([...field(1, 8), ...field(2, 'pastiche'), ...field(7, graph), ...field(8, opset)]);
}
