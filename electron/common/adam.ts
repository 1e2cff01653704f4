// The style learner's optimizer, as torch.optim.Adam computes it (no weight decay, no amsgrad),
// with the learning-rate schedule of training/styles/learn.py. Moments are kept in float64; the
// parameters are float32, as the graph takes them.

export interface AdamSettings {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export class Adam {
  readonly #m: Float64Array;
  readonly #v: Float64Array;
  #t = 0;

  constructor(
    readonly params: Float32Array,
    readonly settings: AdamSettings,
  ) {
    this.#m = new Float64Array(params.length);
    this.#v = new Float64Array(params.length);
  }

  get steps(): number {
    return this.#t;
  }

  /** One update with this gradient at learning rate `lr` (default: the settings' lr). */
  step(grad: Float32Array, lr = this.settings.lr): void {
    const { beta1, beta2, eps } = this.settings;
    const p = this.params;
    if (grad.length !== p.length) throw new Error(`Expected a gradient of ${p.length} numbers but received ${grad.length}`);
    this.#t++;
    const bc1 = 1 - beta1 ** this.#t;
    const bc2 = Math.sqrt(1 - beta2 ** this.#t);
    const stepSize = lr / bc1;
    const m = this.#m;
    const v = this.#v;
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] as number;
      const mi = beta1 * (m[i] as number) + (1 - beta1) * g;
      const vi = beta2 * (v[i] as number) + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      p[i] = (p[i] as number) - (stepSize * mi) / (Math.sqrt(vi) / bc2 + eps);
    }
  }
}

/**
 * training/styles/learn.py's schedule: lr, decayed linearly to 0 over the last `lastFraction` of the
 * run; progress is the larger of step / steps and elapsed / budget (each 0 where unlimited).
 */
export function scheduledLr(lr: number, lastFraction: number, progress: number): number {
  return lr * Math.min(1, Math.max(0, 1 - progress) / lastFraction);
}

export function runProgress(step: number, steps: number, elapsedS: number, budgetS: number): number {
  return Math.max(steps > 0 ? step / steps : 0, budgetS > 0 ? elapsedS / budgetS : 0);
}

/** The vector's first half (the norms' scale) stays at least `min`: a zero or negative scale is a dead channel. */
export function clampScale(vector: Float32Array, min: number): void {
  const k = vector.length / 2;
  for (let i = 0; i < k; i++) if ((vector[i] as number) < min) vector[i] = min;
}

/** Softmax of logits (the blend weights of the built-in styles). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] as number);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp((logits[i] as number) - max);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}
