// The thread that owns onnxruntime-node in the worker process (ort-host.ts says why it has its own).
// serveOrt() is also what the inline fallback calls directly.
import { isMainThread, parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { transferables, type CreatedSession, type FromOrtThread, type OrtInfo, type PlainTensor, type TensorType, type ToOrtThread } from './ort-protocol.js';

export interface OrtServer {
  info: OrtInfo;
  handle(m: ToOrtThread): Promise<{ reply: FromOrtThread; transfer: ArrayBuffer[] }>;
}

export function serveOrt(): OrtServer {
  const sessions = new Map<number, ort.InferenceSession>();
  let next = 1;
  const session = (sid: number): ort.InferenceSession => {
    const s = sessions.get(sid);
    if (!s) throw new Error(`no session ${sid} (released?)`);
    return s;
  };
  const info: OrtInfo = {
    backends: ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled })),
    version: ort.env.versions.node ?? ort.env.versions.common,
  };
  return {
    info,
    async handle(m) {
      try {
        switch (m.op) {
          case 'create': {
            const s = typeof m.model === 'string' ? await ort.InferenceSession.create(m.model, m.options) : await ort.InferenceSession.create(m.model, m.options);
            const sid = next++;
            sessions.set(sid, s);
            const value: CreatedSession = {
              sid,
              inputNames: [...s.inputNames],
              inputMetadata: s.inputMetadata.map((i) => ({ name: i.name, isTensor: i.isTensor, type: i.isTensor ? i.type : null })),
            };
            return { reply: { op: 'done', id: m.id, value }, transfer: [] };
          }
          case 'run': {
            const feeds: Record<string, ort.Tensor> = {};
            for (const [k, t] of Object.entries(m.feeds)) feeds[k] = new ort.Tensor(t.type, t.data, t.dims);
            const out = await session(m.sid).run(feeds);
            const value: Record<string, PlainTensor> = {};
            for (const [k, t] of Object.entries(out)) {
              value[k] = { type: t.type as TensorType, data: t.data as Float32Array | Uint8Array, dims: t.dims };
            }
            return { reply: { op: 'done', id: m.id, value }, transfer: transferables(value) };
          }
          case 'release': {
            const s = session(m.sid);
            sessions.delete(m.sid);
            await s.release();
            return { reply: { op: 'done', id: m.id, value: null }, transfer: [] };
          }
        }
      } catch (e) {
        return { reply: { op: 'failed', id: m.id, message: e instanceof Error ? e.message : String(e) }, transfer: [] };
      }
    },
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const server = serveOrt();
  port.on('message', (m: ToOrtThread) => {
    void server.handle(m).then(({ reply, transfer }) => {
      try {
        port.postMessage(reply, transfer);
      } catch {
        // An output buffer that cannot be handed over (not seen with the CPU or WebGPU providers) is copied.
        port.postMessage(reply);
      }
    });
  });
  port.postMessage({ op: 'ready', info: server.info } satisfies FromOrtThread);
}
