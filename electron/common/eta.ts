// A batch's progress and time left, steady enough to read: work is counted in output pixels (a
// 24 MP photo is not one 'file' like a 2 MP one), the cost per pixel is a moving average over the
// finished photos (the first one, which pays for the model's start, is replaced by the second),
// each photo's own progress (passes, tiles) moves the bar between them, and the time shown
// counts down between updates and moves only part of the way, by a bounded step, to each new estimate.

/** The stages a photo's render reports, and their share of its time (decode, inference, the rest). */
export function photoFraction(stage: string, fraction: number): number {
  const f = Math.min(1, Math.max(0, fraction));
  if (stage === 'decode') return 0.1 * f;
  if (stage === 'infer') return 0.1 + 0.8 * f;
  if (stage === 'encode') return 0.9 + 0.1 * f;
  return 0;
}

export interface EtaOptions {
  /** Photos painted at the same time (the engine's batch concurrency). */
  concurrency: number;
  /** Weight of a new photo's cost per pixel in the moving average. */
  alpha?: number;
  /** How far the time shown moves toward a new estimate at each update. */
  follow?: number;
}

export class BatchEta {
  readonly #concurrency: number;
  readonly #alpha: number;
  readonly #follow: number;
  #msPerPx: number | null = null;
  #finished = 0;
  #finishedPx = 0;
  #shown: number | null = null;
  #shownAt = 0;
  /** Photos started and not finished: started at (ms) and fraction done. */
  readonly #inFlight = new Map<number, { at: number; fraction: number }>();

  constructor(
    readonly total: number,
    o: EtaOptions,
  ) {
    this.#concurrency = Math.max(1, o.concurrency);
    this.#alpha = o.alpha ?? 0.3;
    this.#follow = o.follow ?? 0.35;
  }

  started(i: number, now: number): void {
    this.#inFlight.set(i, { at: now, fraction: 0 });
  }

  progress(i: number, fraction: number): void {
    const f = this.#inFlight.get(i);
    if (f) f.fraction = Math.max(f.fraction, Math.min(1, fraction));
  }

  /** A photo painted: its output pixels and the time it took. */
  finished(i: number, pixels: number, ms: number): void {
    this.#inFlight.delete(i);
    if (!(pixels > 0 && ms > 0)) return;
    const sample = ms / pixels;
    this.#finished++;
    this.#finishedPx += pixels;
    // The first photo also started the model: the second one's cost replaces it.
    this.#msPerPx = this.#msPerPx === null || this.#finished === 2 ? sample : this.#msPerPx + this.#alpha * (sample - this.#msPerPx);
  }

  /** A photo that took no painting (skipped, refused, failed, cancelled). */
  dropped(i: number): void {
    this.#inFlight.delete(i);
  }

  /** Photos done (any outcome) plus the fractions of those in flight, 0-1 of the batch. */
  fraction(done: number): number {
    if (this.total === 0) return 1;
    let f = done;
    for (const p of this.#inFlight.values()) f += p.fraction;
    return Math.min(1, f / this.total);
  }

  /** The raw estimate of the time left: remaining pixels at the averaged cost, spread over the concurrency. */
  #raw(done: number, now: number): number | null {
    const left = this.total - done;
    if (left <= 0) return 0;
    if (this.#msPerPx === null || this.#finished === 0) {
      // No photo finished yet (a one-photo export): the one in flight, extrapolated from its own progress.
      let best: number | null = null;
      for (const p of this.#inFlight.values()) {
        if (p.fraction < 0.1) continue;
        const t = ((now - p.at) / p.fraction) * (1 - p.fraction);
        const whole = (now - p.at) / p.fraction;
        const est = t + (whole * Math.max(0, left - this.#inFlight.size)) / this.#concurrency;
        best = best === null ? est : Math.min(best, est);
      }
      return best;
    }
    const meanPx = this.#finishedPx / this.#finished;
    let px = Math.max(0, left - this.#inFlight.size) * meanPx;
    for (const p of this.#inFlight.values()) px += (1 - p.fraction) * meanPx;
    return (px * this.#msPerPx) / Math.min(this.#concurrency, left);
  }

  /** The time left to show now (ms), or null while there is nothing to estimate from. */
  eta(done: number, now: number): number | null {
    if (done >= this.total) {
      this.#shown = 0;
      return 0;
    }
    const raw = this.#raw(done, now);
    if (raw === null) return this.#shown === null ? null : Math.max(0, this.#shown - (now - this.#shownAt));
    const counted = this.#shown === null ? raw : Math.max(0, this.#shown - (now - this.#shownAt));
    // Part of the way, and never more than a step of 3 % (at least 1 s): a new photo's cost is news, not a jolt.
    const limit = Math.max(1000, 0.03 * counted);
    this.#shown = this.#shown === null ? raw : counted + Math.max(-limit, Math.min(limit, this.#follow * (raw - counted)));
    this.#shownAt = now;
    return Math.round(this.#shown);
  }
}
