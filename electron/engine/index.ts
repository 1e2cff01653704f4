// Public surface of the engine for the CLI and the Electron main process.
export { Engine } from './engine.js';
export { DEFAULT_TILE_PIXELS, DEFAULT_STATS_EDGE } from './engine-options.js';
export type { EngineOptions, EngineStylizeInput, BatchOptions } from './engine-options.js';
export type { EngineBatchReport, DoctorReport, ModelStatus, WorkerCrash } from './reports.js';
export { Supervisor, forkSpawner } from './supervisor.js';
export type { WorkerHandle, Spawner, CrashEvent, SupervisorOptions } from './supervisor.js';
export type { ModelError, LoadedManifest } from '../catalog/manifest.js';
export { loadManifest } from '../catalog/manifest.js';
export { resolveModelsDir, resolveUserDataDir, resolveUserStylesDir, defaultWorkerPath, packageRoot } from './paths.js';
export type { DoctorResult, PreviewOutput, StylizeResult, WarmupResult, WorkerRequest, WorkerResponse } from '../common/worker-protocol.js';
export { DEFAULT_MAX_PIXELS } from '../common/params.js';
