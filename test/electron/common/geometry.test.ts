import { describe, expect, it } from 'vitest';
import { fitLongEdge } from '../../../electron/common/geometry.js';

describe('fitLongEdge', () => {
  it('never upscales unless allowed', () => {
    expect(fitLongEdge(4000, 3000, 1000)).toEqual({ width: 1000, height: 750 });
    expect(fitLongEdge(800, 600, 1000)).toEqual({ width: 800, height: 600 });
    expect(fitLongEdge(800, 600, 1000, true)).toEqual({ width: 1000, height: 750 });
    expect(fitLongEdge(800, 600, 'original')).toEqual({ width: 800, height: 600 });
  });

  it('keeps an empty size empty (the renderer before a photo is read)', () => {
    expect(fitLongEdge(0, 0, 1920)).toEqual({ width: 0, height: 0 });
  });
});
