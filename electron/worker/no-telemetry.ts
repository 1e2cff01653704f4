// onnxruntime-node's Linux and macOS builds (1.29 and later) carry Microsoft's 1DS telemetry: at
// session creation they write a device id and an event store under ~/.cache/Microsoft, drop files
// in the temp folder, and upload usage events. Pastiche sends nothing from someone's desktop, so the
// worker opts out before any session exists. The variable must be in the process's real environment
// (native getenv): set here, on the worker's main thread, before the onnxruntime thread starts;
// a worker thread's process.env is only a copy. Imported first by inference-worker.ts.
process.env['ORT_DISABLE_TELEMETRY'] = '1';

export {};
