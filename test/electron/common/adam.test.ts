// The learner's optimizer against torch.optim.Adam (torch 1.13, float64, the same gradients and
// learning rates: printed by the snippet in the comment below), and the schedule and clamp of
// training/styles/learn.py.
import { describe, expect, it } from 'vitest';
import { Adam, clampScale, runProgress, scheduledLr, softmax } from '../../../electron/common/adam.js';

// p = Parameter([0.5, -1, 2, 0]); opt = torch.optim.Adam([p], lr=0.02, betas=(0.9, 0.999), eps=1e-8)
// then per step: group['lr'] = lr; p.grad = g; opt.step()
const GRADS = [
  [0.1, -2.0, 0.0, 1e-3],
  [0.3, 1.0, -0.5, 1e-3],
  [-0.2, 0.5, 0.25, -1e-3],
];
const LRS = [0.02, 0.02, 0.01];
const TORCH = [
  [0.4800000019999998, -0.9800000001, 2.0, -0.019999800001999978],
  [0.461644380441118, -0.9746732593404863, 2.0148827360504975, -0.03999960000399982],
  [0.4590653425095383, -0.9740593707172103, 2.0171691397372817, -0.042619500004261804],
];

describe('Adam', () => {
  it('steps as torch.optim.Adam does (bias correction, eps outside the root), to float32', () => {
    const p = Float32Array.from([0.5, -1, 2, 0]);
    const opt = new Adam(p, { lr: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    GRADS.forEach((g, i) => {
      opt.step(Float32Array.from(g), LRS[i]);
      // The parameters are float32: equal to torch's float64 values rounded, within a float32 ulp.
      (TORCH[i] as number[]).forEach((want, k) => expect(p[k]).toBeCloseTo(want, 6));
    });
    expect(opt.steps).toBe(3);
  });

  it('the first step moves every parameter with a gradient by lr against its sign', () => {
    const p = new Float32Array(3);
    new Adam(p, { lr: 0.5, beta1: 0.9, beta2: 0.999, eps: 1e-8 }).step(Float32Array.from([4, -0.001, 0]));
    expect(Array.from(p)).toEqual([Math.fround(-0.5), expect.closeTo(0.5, 4), 0]);
  });

  it('refuses a gradient of another length', () => {
    expect(() => new Adam(new Float32Array(4), { lr: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8 }).step(new Float32Array(3))).toThrow('Expected a gradient of 4 numbers but received 3');
  });
});

describe('the schedule and the clamp', () => {
  it('keeps lr until the last fraction, then decays it linearly to 0', () => {
    expect(scheduledLr(0.02, 0.3, 0)).toBe(0.02);
    expect(scheduledLr(0.02, 0.3, 0.7)).toBeCloseTo(0.02, 12);
    expect(scheduledLr(0.02, 0.3, 0.85)).toBeCloseTo(0.01, 12);
    expect(scheduledLr(0.02, 0.3, 1)).toBe(0);
    expect(scheduledLr(0.02, 0.3, 1.2)).toBe(0);
  });

  it('progress is the larger of steps and time, each only where limited', () => {
    expect(runProgress(5, 10, 30, 0)).toBe(0.5);
    expect(runProgress(5, 0, 30, 60)).toBe(0.5);
    expect(runProgress(5, 100, 45, 60)).toBe(0.75);
    expect(runProgress(5, 0, 45, 0)).toBe(0);
  });

  it('clamps the scale half only', () => {
    const v = Float32Array.from([-1, 0.5, 0, -2, -3, 0]);
    clampScale(v, 0.001);
    expect(Array.from(v)).toEqual([Math.fround(0.001), 0.5, Math.fround(0.001), -2, -3, 0]);
  });

  it('softmax sums to 1 and survives large logits', () => {
    const w = softmax([1000, 1000, 0]);
    expect(w[0]).toBeCloseTo(0.5, 12);
    expect(w[2]).toBeCloseTo(0, 12);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});
