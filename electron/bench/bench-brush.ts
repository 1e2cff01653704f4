// `pastiche bench --photos`: the brush's three targets per photo, through the real export path.
import path from 'node:path';
import sharp from 'sharp';
import { lumaLaplacian, meanAbsDiff } from '../common/image-metrics.js';
import type { Brush } from '../common/types.js';
import { BRUSH_TARGETS, timing, type BenchOptions, type BenchReport, type BrushBench } from './bench-report.js';
import { Engine } from '../engine/engine.js';
import type { EngineOptions } from '../engine/engine-options.js';

async function rawRgb(file: string): Promise<{ rgb: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { rgb: data, width: info.width, height: info.height };
}

function lanczos(rgb: Buffer, w: number, h: number, tw: number, th: number): Promise<Buffer> {
  return sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .resize(tw, th, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Per photo, with Engine.stylizeFile: the photo at its own size at `brush` and at native, timed in
 * turns in one engine (same warm worker, so the ratio holds on a shared machine); then lossless
 * exports at full and at brush size for the picture metrics (JPEG q92 alone moves a painting by ~3
 * of 255 at the brush size, which would measure the codec, not the brush).
 */
export async function brushBench(o: BenchOptions, report: BenchReport, tmp: string, threads: number, brush: number, log: (l: string) => void): Promise<BrushBench[]> {
  const opts: EngineOptions = { device: o.devices[0] ?? 'cpu', threads, precision: report.settings.precision };
  if (o.modelsDir) opts.modelsDir = o.modelsDir;
  if (o.spawner) opts.spawner = o.spawner;
  if (o.workerPath) opts.workerPath = o.workerPath;
  if (o.tilePixels) opts.tilePixels = o.tilePixels;
  const style = report.models.builtin?.style as string;
  const engine = await Engine.create(opts);
  const out: BrushBench[] = [];
  try {
    for (const photo of o.photos ?? []) {
      const name = path.basename(photo, path.extname(photo));
      const file = (tag: string, ext = 'jpg'): string => path.join(tmp, `brush-${name}-${tag}.${ext}`);
      const run = async (tag: string, input: { size: number | 'original'; brush: Brush; format?: 'png' }): Promise<number> => {
        const t0 = performance.now();
        const r = await engine.stylizeFile(photo, { outputPath: file(tag, input.format) }, { style, ...input });
        if (r.status !== 'ok') throw new Error(`brush bench: ${photo}: ${r.error ?? r.status}`);
        return performance.now() - t0;
      };
      log(`brush ${brush} vs native: ${photo}...`);
      // Untimed: session start-up and the first run of a shape.
      await run('warm', { size: brush, brush });
      const brushRuns: number[] = [];
      const nativeRuns: number[] = [];
      for (let i = 0; i < o.runs; i++) {
        brushRuns.push(await run('brush', { size: 'original', brush }));
        nativeRuns.push(await run('native', { size: 'original', brush: 'native' }));
      }
      await run('full-png', { size: 'original', brush, format: 'png' });
      await run('small-png', { size: brush, brush, format: 'png' });
      await run('small', { size: brush, brush });
      const full = await rawRgb(file('full-png', 'png'));
      const small = await rawRgb(file('small-png', 'png'));
      const diff = meanAbsDiff(await lanczos(full.rgb, full.width, full.height, small.width, small.height), small.rgb);
      const up = await lanczos(small.rgb, small.width, small.height, full.width, full.height);
      const lap = lumaLaplacian(full.rgb, full.width, full.height) / lumaLaplacian(up, full.width, full.height);
      const fullJpeg = await rawRgb(file('brush'));
      const smallJpeg = await rawRgb(file('small'));
      const diffJpeg = meanAbsDiff(await lanczos(fullJpeg.rgb, fullJpeg.width, fullJpeg.height, smallJpeg.width, smallJpeg.height), smallJpeg.rgb);
      const brushMs = timing(brushRuns);
      const nativeMs = timing(nativeRuns);
      const ratio = brushMs.median / nativeMs.median;
      const b: BrushBench = {
        photo,
        width: full.width,
        height: full.height,
        brush,
        style,
        brushMs,
        nativeMs,
        timeRatio: r3(ratio),
        diffAtBrush: r3(diff),
        diffAtBrushJpeg: r3(diffJpeg),
        laplacianRatio: r3(lap),
        meets: { diff: diff <= BRUSH_TARGETS.diffAtBrush, laplacian: lap >= BRUSH_TARGETS.laplacianRatio, time: ratio <= BRUSH_TARGETS.timeRatio },
      };
      log(
        `  ${full.width}x${full.height}: diff at brush ${b.diffAtBrush} (JPEG ${b.diffAtBrushJpeg}), Laplacian ratio ${b.laplacianRatio}, time ${brushMs.median} ms vs native ${nativeMs.median} ms (${b.timeRatio})`,
      );
      out.push(b);
    }
  } finally {
    await engine.close();
  }
  return out;
}
