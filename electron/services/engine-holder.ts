// The engine in use, and the device switch that replaces it without a restart. New work starts on
// `ready()`, which waits for a switch in progress; calls in flight are tracked so an old engine is
// closed only after they settle; a switch requested during an export waits for it to finish.

import type { EngineStatus } from '../common/ipc-contract.js';
import type { DeviceChoice } from '../common/types.js';
import type { PreviewOutput, RegionOutput } from '../common/worker-protocol.js';
import type { EnginePort, PreviewOptions, RegionOptions } from './engine-port.js';

export interface EngineHolderHooks {
  /** Makes an engine for a device choice; without it the device cannot change. */
  createEngine?(device: DeviceChoice): Promise<EnginePort>;
  /** Reports a change of the engine's state (the handlers emit `engine:status`). */
  status(patch: Partial<EngineStatus>): void;
  /** Is an export running? A switch waits for it. */
  exporting(): boolean;
  /** Re-reads the device report of the current engine once a switch is done. */
  refreshDevice(): Promise<void>;
}

export class EngineHolder {
  #engine: EnginePort;
  readonly #hooks: EngineHolderHooks;
  /** Engine calls in flight (previews, style thumbnails): an old engine is closed only after these settle. */
  readonly #inflight = new Set<Promise<unknown>>();
  // A chain, so two quick changes apply in order; the last choice wins.
  #switching: Promise<void> = Promise.resolve();
  #pending: DeviceChoice | null = null;

  constructor(engine: EnginePort, hooks: EngineHolderHooks) {
    this.#engine = engine;
    this.#hooks = hooks;
  }

  /** The engine in use now (it changes when the device setting changes). */
  get current(): EnginePort {
    return this.#engine;
  }

  /** The engine to start new work on: waits for a switch in progress. */
  async ready(): Promise<EnginePort> {
    await this.#switching;
    return this.#engine;
  }

  /** Holds a switch's closing of the old engine until `p` settles. */
  track<T>(p: Promise<T>): Promise<T> {
    this.#inflight.add(p);
    const done = (): boolean => this.#inflight.delete(p);
    void p.then(done, done);
    return p;
  }

  /** A preview on the current engine, tracked (what StyleThumbs renders with). */
  async preview(input: string, opts: PreviewOptions, signal?: AbortSignal): Promise<PreviewOutput> {
    return this.track((await this.ready()).preview(input, opts, signal));
  }

  /** The 1:1 view's rectangle on the current engine, tracked. */
  async region(input: string, opts: RegionOptions, signal?: AbortSignal): Promise<RegionOutput> {
    const e = await this.ready();
    if (!e.region) throw new Error('This engine cannot paint the 1:1 view');
    return this.track(e.region(input, opts, signal));
  }

  /** Apply a new device choice now, or after the running export. */
  switchTo(device: DeviceChoice): void {
    if (!this.#hooks.createEngine) return;
    this.#pending = device;
    if (!this.#hooks.exporting()) this.#queue();
    else this.#hooks.status({ message: 'The new device applies when the export finishes' });
  }

  /** An export finished: a device change made during it applies now. */
  exportFinished(): void {
    if (this.#pending !== null) this.#queue();
  }

  /** Resolves once every switch queued so far, and any queued while waiting, has finished. */
  async settled(): Promise<void> {
    let seen: Promise<void> | null = null;
    while (seen !== this.#switching) {
      seen = this.#switching;
      await seen;
    }
  }

  /** Drops a pending switch, waits for one in progress, then closes the current engine. */
  async close(): Promise<void> {
    this.#pending = null;
    await this.#switching;
    await this.#engine.close();
  }

  #queue(): void {
    this.#switching = this.#switching.then(() => this.#swap());
  }

  async #swap(): Promise<void> {
    const device = this.#pending;
    this.#pending = null;
    const create = this.#hooks.createEngine;
    if (device === null || !create) return;
    const { status } = this.#hooks;
    const label = device === 'auto' ? 'automatic device choice' : device.toUpperCase();
    status({ state: 'starting', device: null, message: `Switching to ${label}…` });
    let next: EnginePort;
    try {
      next = await create(device);
    } catch (e) {
      status({ state: 'error', message: `Could not switch to ${label}: ${messageOf(e)}` });
      return;
    }
    const old = this.#engine;
    this.#engine = next;
    // New work goes to the new engine from here; let the old one finish what it has, then close it.
    await Promise.allSettled([...this.#inflight]);
    try {
      await old.close();
    } catch {
      // closing a worker that already died is not the user's problem
    }
    try {
      // Start the worker now so the status bar shows the provider it actually got (GPU or CPU fallback).
      await next.warmup?.();
    } catch (e) {
      // e.g. 'gpu' where no GPU provider works: say so now rather than on the first preview.
      status({ state: 'error', device: null, message: `${label}: ${messageOf(e)}` });
      return;
    }
    status({ state: this.#hooks.exporting() ? 'busy' : 'ready', device: null, message: null });
    await this.#hooks.refreshDevice();
  }
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
