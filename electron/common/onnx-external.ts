// Which external-data files an ONNX model's initializers read, and how far into each: enough of the
// protobuf wire format (ModelProto.graph -> GraphProto.initializer -> TensorProto.external_data) to
// know what must sit beside a graph before onnxruntime loads it. Pure: bytes in, references out.

export interface ExternalRef {
  /** The tensor's `location`, relative to the graph's folder. */
  location: string;
  /** Bytes of that file the graph reads: the largest offset + length of its tensors. */
  end: number;
  tensors: number;
}

interface Field {
  num: number;
  wire: number;
  /** Varint value (wire 0), or the payload's [start, end) (wire 2). */
  value: number;
  start: number;
  end: number;
}

function varint(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (let i = pos; i < b.length; i++) {
    const x = b[i] as number;
    v += (x & 0x7f) * mul;
    mul *= 128;
    if (x < 0x80) return [v, i + 1];
  }
  throw new Error('Expected an ONNX model but received truncated protobuf data');
}

function* fields(b: Uint8Array, start: number, end: number): Generator<Field> {
  let p = start;
  while (p < end) {
    const [key, a] = varint(b, p);
    const num = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      const [value, q] = varint(b, a);
      yield { num, wire, value, start: a, end: q };
      p = q;
    } else if (wire === 2) {
      const [len, q] = varint(b, a);
      if (q + len > end) throw new Error('Expected an ONNX model but received a field running past its message');
      yield { num, wire, value: len, start: q, end: q + len };
      p = q + len;
    } else if (wire === 1) {
      p = a + 8;
    } else if (wire === 5) {
      p = a + 4;
    } else {
      throw new Error(`Expected an ONNX model but received protobuf wire type ${wire}`);
    }
  }
}

const text = new TextDecoder();

/** The external-data files the model's initializers name; empty when every weight is inside it. */
export function externalDataRefs(model: Uint8Array): ExternalRef[] {
  const out = new Map<string, ExternalRef>();
  for (const m of fields(model, 0, model.length)) {
    if (m.num !== 7 || m.wire !== 2) continue; // ModelProto.graph
    for (const g of fields(model, m.start, m.end)) {
      if (g.num !== 5 || g.wire !== 2) continue; // GraphProto.initializer
      let location: string | null = null;
      let offset = 0;
      let length = -1;
      let external = false;
      for (const t of fields(model, g.start, g.end)) {
        if (t.num === 14 && t.wire === 0) external = t.value === 1; // data_location EXTERNAL
        if (t.num !== 13 || t.wire !== 2) continue; // external_data: {key, value}
        let key = '';
        let value = '';
        for (const e of fields(model, t.start, t.end)) {
          if (e.wire !== 2) continue;
          if (e.num === 1) key = text.decode(model.subarray(e.start, e.end));
          if (e.num === 2) value = text.decode(model.subarray(e.start, e.end));
        }
        if (key === 'location') location = value;
        if (key === 'offset') offset = Number(value);
        if (key === 'length') length = Number(value);
      }
      if (!external || location === null) continue;
      const r = out.get(location) ?? { location, end: 0, tensors: 0 };
      // A tensor without `length` reads to the end of its file: at least one byte past its offset.
      r.end = Math.max(r.end, offset + Math.max(length, 1));
      r.tensors++;
      out.set(location, r);
    }
  }
  return [...out.values()].sort((a, b) => a.location.localeCompare(b.location));
}
