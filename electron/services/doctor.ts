// Turns the engine's informative reports (doctor, model errors) into lines the Diagnostics dialog
// shows. Duck-typed: a report with an unexpected shape still reads as something, never throws.

import type { DoctorCheck } from '../common/ipc-contract.js';

/** Turn the engine's doctor report into readable checks. */
export function normalizeDoctor(raw: unknown): DoctorCheck[] {
  if (!raw || typeof raw !== 'object') return [{ name: 'engine', ok: false, detail: String(raw) }];
  const r = raw as Record<string, unknown>;
  const checks: DoctorCheck[] = [];
  const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '-' : JSON.stringify(v));
  checks.push({ name: 'Platform', ok: true, detail: `${str(r['platform'])} ${str(r['arch'])}, ${str(r['cpus'])} CPUs` });
  for (const k of ['node', 'electron', 'onnxruntime', 'sharp', 'libvips']) if (k in r && r[k] !== null) checks.push({ name: k, ok: true, detail: str(r[k]) });
  if (typeof r['modelsDir'] === 'string') checks.push({ name: 'Models folder', ok: true, detail: r['modelsDir'] });
  if (Array.isArray(r['models'])) {
    for (const m of r['models'] as { id?: unknown; ok?: unknown; styles?: unknown; error?: unknown }[]) {
      checks.push({
        name: `Model ${str(m.id)}`,
        ok: m.ok === true,
        detail: m.ok === true ? `${Array.isArray(m.styles) ? m.styles.length : 0} styles` : str(m.error),
      });
    }
  }
  const device = r['device'] as { requested?: unknown; provider?: unknown; fallbackReason?: unknown } | null | undefined;
  // A GPU provider that does not work here is a problem only when the user chose the GPU.
  const gpuAsked = device?.requested === 'gpu';
  if (Array.isArray(r['probes'])) {
    for (const p of r['probes'] as { name?: unknown; ok?: unknown; error?: unknown }[]) {
      const check: DoctorCheck = { name: `Provider ${str(p.name)}`, ok: p.ok === true, detail: p.ok === true ? 'works' : `not available: ${str(p.error)}` };
      if (p.ok !== true && p.name !== 'cpu' && !gpuAsked) check.neutral = true;
      checks.push(check);
    }
  }
  if (device) {
    const check: DoctorCheck = { name: 'Device', ok: !device.fallbackReason, detail: device.fallbackReason ? `CPU (no usable GPU: ${str(device.fallbackReason)})` : str(device.provider) };
    if (device.fallbackReason && !gpuAsked) check.neutral = true;
    checks.push(check);
  }
  return checks;
}

/** One model error as a line: "model: message". */
export function errorLine(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object') {
    const o = e as { model?: unknown; id?: unknown; message?: unknown; error?: unknown };
    const who = o.model ?? o.id;
    const msg = o.message ?? o.error;
    if (msg !== undefined) return who !== undefined ? `${String(who)}: ${String(msg)}` : String(msg);
  }
  return JSON.stringify(e);
}
