// `pastiche bench`: real timed runs of the built-in model (and the reference generator, in the
// same process for a fair ratio) per size and device, in a fresh inference worker each, so the
// worker's peak RSS belongs to that configuration alone. Results + machine info go to JSON.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { serializeError } from '../common/errors.js';
import type { DeviceChoice, ModelIo } from '../common/types.js';
import { Engine } from '../engine/engine.js';
import { DEFAULT_BATCH_CONCURRENCY, DEFAULT_STATS_EDGE, DEFAULT_TILE_PIXELS, type EngineOptions } from '../engine/engine-options.js';
import { modelSpec } from '../engine/model-spec.js';
import { tempPathFor } from '../engine/batch.js';
import { loadManifest, styleInput } from '../catalog/manifest.js';
import { defaultWorkerPath, packageRoot, resolveModelsDir } from '../engine/paths.js';
import { Supervisor } from '../engine/supervisor.js';
import type { BenchJob, BenchResult, DoctorResult, ModelSpec } from '../common/worker-protocol.js';
import { brushBench } from './bench-brush.js';
import { DEFAULT_BRUSH } from '../common/params.js';
import { NAMED_SIZES, timing, type BatchBench, type BenchEntry, type BenchOptions, type BenchReport, type MachineInfo } from './bench-report.js';

interface ReferenceJson {
  id: string;
  file: string;
  statsSize: number;
  receptiveField: number;
  tiles?: { file: string };
}

/** The reference generator (single-style Johnson net, same I/O contract) as a ModelSpec. */
async function referenceSpec(dir: string): Promise<ModelSpec | null> {
  const json = path.join(dir, 'reference.json');
  if (!existsSync(json)) return null;
  const r = JSON.parse(await readFile(json, 'utf8')) as ReferenceJson;
  const io: ModelIo = {
    input: 'input',
    output: 'output',
    styleWeights: null,
    stats: 'stats',
    statsSize: r.statsSize,
    layout: 'NCHW',
    channels: 'RGB',
    range: [0, 255],
    multipleOf: 4,
  };
  return {
    id: r.id,
    path: path.join(dir, r.file),
    tilesPath: r.tiles ? path.join(dir, r.tiles.file) : null,
    singlePath: null,
    fp16Path: null,
    fp16TilesPath: null,
    int8Path: null,
    io,
    receptiveField: r.receptiveField,
    weights: null,
  };
}

/** A textured JPEG (with EXIF, like a camera photo) for end-to-end runs. */
async function makePhoto(file: string, width: number, height: number): Promise<void> {
  const rgb = Buffer.allocUnsafe(width * height * 3);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      rgb[i] = (x * 255) / width;
      rgb[i + 1] = (y * 255) / height;
      rgb[i + 2] = ((x ^ y) * 3) & 255;
    }
  }
  await sharp(rgb, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'Pastiche', Model: 'bench' } })
    .toFile(file);
}

function machineInfo(d: DoctorResult | null): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    logicalCpus: cpus.length,
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()}`,
    arch: process.arch,
    node: process.versions.node,
    onnxruntime: d?.onnxruntime ?? null,
    sharp: d?.sharp ?? null,
    libvips: d?.libvips ?? null,
  };
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const log = o.log ?? ((): void => undefined);
  const workerPath = o.workerPath ?? defaultWorkerPath();
  const threads = o.threads ?? os.availableParallelism();
  const tilePixels = o.tilePixels ?? DEFAULT_TILE_PIXELS;
  const statsEdge = o.statsEdge ?? DEFAULT_STATS_EDGE;
  const warmups = o.warmups ?? 1;
  const precision = o.precision ?? 'auto';
  const brush = o.brush ?? 'native';
  const supervisor = (): Supervisor => new Supervisor(o.spawner ? { workerPath, spawner: o.spawner } : { workerPath });
  /** One bench job in a fresh worker (each measurement starts from the same state). */
  const inWorker = async (job: Pick<BenchJob, 'model' | 'device' | 'width' | 'height' | 'runs' | 'e2e'>): Promise<BenchResult> => {
    const sup = supervisor();
    try {
      return await sup.request('bench', { ...job, threads, warmups, tilePixels, statsEdge, brush });
    } finally {
      await sup.close();
    }
  };

  const modelsDir = resolveModelsDir(o.modelsDir);
  const manifest = await loadManifest(modelsDir, { verify: 'size' });
  const style = o.style ?? manifest.styles[0]?.id;
  const models: { kind: 'builtin' | 'reference'; spec: ModelSpec }[] = [];
  const report: BenchReport = {
    schema: 1,
    createdAt: new Date().toISOString(),
    machine: machineInfo(null),
    settings: { runs: o.runs, warmups, threads, tilePixels, statsEdge, precision, brush, sizes: o.sizes.map((s) => s.label), devices: o.devices },
    models: { builtin: null, reference: null },
    results: [],
    ratios: [],
    batch: null,
    brush: [],
  };
  if (style) {
    const r = styleInput(manifest, style);
    const m = r.model;
    models.push({
      kind: 'builtin',
      spec: modelSpec(m, r.weights, precision, r.vector),
    });
    report.models.builtin = { id: m.info.id, file: m.path, style };
  } else {
    log(`no built-in model in ${modelsDir}: ${manifest.errors.map((e) => e.message).join('; ') || 'empty manifest'}`);
  }
  if (o.reference !== false) {
    const ref = await referenceSpec(o.referenceDir ?? path.join(packageRoot(), 'bench', 'models'));
    if (ref) {
      models.push({ kind: 'reference', spec: ref });
      report.models.reference = { id: ref.id, file: ref.path };
    }
  }

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'pastiche-bench-'));
  try {
    const info = supervisor();
    try {
      report.machine = machineInfo(await info.request('doctor', {}));
    } finally {
      await info.close();
    }
    for (const size of o.sizes) {
      let photo: string | null = null;
      if (o.endToEnd !== false) {
        photo = path.join(tmp, `photo-${size.width}x${size.height}.jpg`);
        await makePhoto(photo, size.width, size.height);
      }
      for (const device of o.devices) {
        for (const { kind, spec } of models) {
          const entry: BenchEntry = {
            model: kind,
            modelId: spec.id,
            brush,
            size: size.label,
            width: size.width,
            height: size.height,
            device,
            provider: null,
            tiles: 0,
            inferMs: null,
            endToEndMs: null,
            peakRssBytes: null,
          };
          log(`${spec.id} ${size.label} ${device}${brush === 'native' ? '' : ` brush ${brush}`}...`);
          try {
            const output = path.join(tmp, `out-${spec.id}-${size.label}.jpg`);
            const r = await inWorker({ model: spec, device, width: size.width, height: size.height, runs: o.runs, e2e: photo ? { input: photo, output, tmp: tempPathFor(output) } : null });
            entry.provider = r.provider;
            if (r.fallbackReason) entry.fallbackReason = r.fallbackReason;
            entry.tiles = r.tiles;
            entry.inferMs = timing(r.inferMs);
            entry.endToEndMs = r.e2eMs.length ? timing(r.e2eMs) : null;
            entry.peakRssBytes = r.maxRssBytes;
            log(`  infer ${entry.inferMs.median} ms${entry.endToEndMs ? `, end to end ${entry.endToEndMs.median} ms` : ''}, peak RSS ${Math.round(r.maxRssBytes / 2 ** 20)} MiB, ${r.provider}`);
          } catch (e) {
            entry.error = serializeError(e).message;
            log(`  failed: ${entry.error}`);
          }
          report.results.push(entry);
        }
        const b = report.results.find((x) => x.model === 'builtin' && x.size === size.label && x.device === device);
        const ref = report.results.find((x) => x.model === 'reference' && x.size === size.label && x.device === device);
        if (b?.inferMs && ref?.inferMs && ref.inferMs.median > 0) {
          report.ratios.push({ size: size.label, device, builtinOverReference: Math.round((b.inferMs.median / ref.inferMs.median) * 1000) / 1000 });
        }
      }
    }
    const builtin = models.find((m) => m.kind === 'builtin');
    if (o.batch && o.batch > 0 && builtin) {
      report.batch = await batchBench(o, report, tmp, threads, log, (device, width, height) =>
        inWorker({ model: builtin.spec, device, width, height, runs: o.runs, e2e: null }).then((r) => r.inferMs),
      );
    }
    if (o.photos?.length && report.models.builtin) {
      report.brush = await brushBench(o, report, tmp, threads, typeof o.brush === 'number' ? o.brush : DEFAULT_BRUSH, log);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return report;
}

/**
 * A folder of 1080p photos through the real batch path, against the inference-only rate of the
 * same model measured right before and right after it (this VM's speed drifts by 10-20% over
 * minutes; a rate from earlier in the run would compare two different machines).
 */
async function batchBench(
  o: BenchOptions,
  report: BenchReport,
  tmp: string,
  threads: number,
  log: (l: string) => void,
  inferenceOnly: (device: DeviceChoice, width: number, height: number) => Promise<number[]>,
): Promise<BatchBench> {
  const n = o.batch ?? 0;
  const device = o.devices[0] ?? 'cpu';
  const [width, height] = NAMED_SIZES['1080p'] as [number, number];
  const dir = path.join(tmp, 'batch-in');
  const out = path.join(tmp, 'batch-out');
  await mkdir(dir, { recursive: true });
  await mkdir(out, { recursive: true });
  const first = path.join(dir, 'photo-000.jpg');
  await makePhoto(first, width, height);
  const bytes = await readFile(first);
  for (let i = 1; i < n; i++) await writeFile(path.join(dir, `photo-${String(i).padStart(3, '0')}.jpg`), bytes);
  const concurrency = DEFAULT_BATCH_CONCURRENCY;
  const opts: EngineOptions = { device, threads, concurrency, precision: report.settings.precision };
  if (o.modelsDir) opts.modelsDir = o.modelsDir;
  if (o.spawner) opts.spawner = o.spawner;
  if (o.workerPath) opts.workerPath = o.workerPath;
  if (o.tilePixels) opts.tilePixels = o.tilePixels;
  const engine = await Engine.create(opts);
  try {
    const style = report.models.builtin?.style;
    // One photo of the batch first, not counted: the batch then measures steady state, as inferMs
    // does after its warm-ups (the first 1080p run also grows the session's memory arena).
    await mkdir(path.join(tmp, 'batch-warm'));
    const warm = await engine.runBatch([first], path.join(tmp, 'batch-warm'), style ? { style } : {});
    if (warm.files[0]?.status !== 'ok') throw new Error(`batch bench: warm-up failed: ${warm.files[0]?.error ?? ''}`);
    log(`inference only, 1080p, before and after the batch; batch of ${n} 1080p photos...`);
    const before = await inferenceOnly(device, width, height);
    const t0 = performance.now();
    const r = await engine.runBatch([dir], out, style ? { style } : {});
    const wallMs = performance.now() - t0;
    const after = await inferenceOnly(device, width, height);
    const failed = r.files.filter((f) => f.status !== 'ok');
    if (failed.length) throw new Error(`batch bench: ${failed.length} file(s) failed: ${failed[0]?.error ?? ''}`);
    const inferenceOnlyMs = timing([...before, ...after]);
    const fps = (n * 1000) / wallMs;
    const inferFps = 1000 / inferenceOnlyMs.median;
    const b: BatchBench = {
      files: n,
      width,
      height,
      device,
      concurrency,
      wallMs: Math.round(wallMs),
      filesPerSecond: Math.round(fps * 1000) / 1000,
      inferenceOnlyMs,
      inferenceOnlyFilesPerSecond: Math.round(inferFps * 1000) / 1000,
      efficiency: Math.round((fps / inferFps) * 1000) / 1000,
    };
    log(`  ${b.filesPerSecond} files/s (${Math.round(b.efficiency * 100)}% of inference-only)`);
    return b;
  } finally {
    await engine.close();
  }
}
