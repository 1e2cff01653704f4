import { describe, expect, it } from 'vitest';
import {
  BRUSH,
  brushChosen,
  checkBoolean,
  DEFAULT_BRUSH,
  normalizeStylizeOptions,
  parseBrush,
  parseDevice,
  parseFormat,
  parseQuality,
  parseSize,
  parseStrength,
  parseStyleSpec,
} from '../../../electron/common/params.js';

describe('params', () => {
  it('size: integer in range or original, exact message', () => {
    expect(parseSize('1024')).toBe(1024);
    expect(parseSize(64)).toBe(64);
    expect(parseSize('original')).toBe('original');
    expect(() => parseSize('abc')).toThrow("Expected integer between 64 and 16384 or 'original' for size but received 'abc'");
    expect(() => parseSize(63)).toThrow("Expected integer between 64 and 16384 or 'original' for size but received 63");
    expect(() => parseSize('12.5')).toThrow("for size but received '12.5'");
  });

  it('format: one of the output formats, aliases normalized', () => {
    expect(parseFormat('png')).toBe('png');
    expect(parseFormat('JPEG')).toBe('jpg');
    expect(parseFormat('tif')).toBe('tiff');
    expect(() => parseFormat('gif')).toThrow("Expected one of jpg, png, webp, tiff, avif for format but received 'gif'");
  });

  it('strength: number 0..1', () => {
    expect(parseStrength('0.25')).toBe(0.25);
    expect(parseStrength(1)).toBe(1);
    expect(() => parseStrength('2')).toThrow("Expected number between 0 and 1 for strength but received '2'");
    expect(() => parseStrength('x')).toThrow("Expected number between 0 and 1 for strength but received 'x'");
  });

  it('quality and device', () => {
    expect(parseQuality('90')).toBe(90);
    expect(() => parseQuality('0')).toThrow("Expected integer between 1 and 100 for quality but received '0'");
    expect(parseDevice('gpu')).toBe('gpu');
    expect(() => parseDevice('tpu')).toThrow("Expected one of auto, cpu, gpu for device but received 'tpu'");
  });

  it('style specs: id or blend', () => {
    expect(parseStyleSpec('starry-night')).toBe('starry-night');
    expect(parseStyleSpec('a=0.7,b=0.3')).toEqual({ a: 0.7, b: 0.3 });
    expect(parseStyleSpec({ a: 1 })).toEqual({ a: 1 });
    const msg = "Expected style id or id=weight[,id=weight...] for style but received 'a=x'";
    expect(() => parseStyleSpec('a=x')).toThrow(msg);
    expect(() => parseStyleSpec('a=0,b=0')).toThrow('for style');
    expect(() => parseStyleSpec('Bad Id')).toThrow('for style');
  });

  it('strict mode (IPC) refuses strings for numbers and booleans, and format aliases', () => {
    expect(parseSize(1024, 'size', 'strict')).toBe(1024);
    expect(() => parseSize('1024', 'size', 'strict')).toThrow("Expected integer between 64 and 16384 or 'original' for size but received '1024'");
    expect(() => parseStrength('0.5', 'strength', 'strict')).toThrow("Expected number between 0 and 1 for strength but received '0.5'");
    expect(() => checkBoolean('recursive', 'true', 'strict')).toThrow("Expected boolean for recursive but received 'true'");
    expect(parseFormat('png', 'format', 'strict')).toBe('png');
    expect(() => parseFormat('JPEG', 'format', 'strict')).toThrow("Expected one of jpg, png, webp, tiff, avif for format but received 'JPEG'");
  });

  it('normalize fills defaults and names the bad field', () => {
    expect(normalizeStylizeOptions({ style: 'x' })).toEqual({
      style: 'x',
      size: 'original',
      brush: 1024,
      strength: 1,
      preserveColors: false,
      format: 'jpg',
      quality: 92,
      keepMetadata: true,
      stripGps: false,
    });
    expect(normalizeStylizeOptions({ style: 'x', brush: 'native' }).brush).toBe('native');
    expect(normalizeStylizeOptions({ style: 'x', brush: '2048' }).brush).toBe(2048);
    expect(() => normalizeStylizeOptions({ style: 'x', brush: 100 })).toThrow("Expected integer between 256 and 8192 or 'native' for brush but received 100");
    expect(() => normalizeStylizeOptions({ style: 'x', quality: 101 })).toThrow('Expected integer between 1 and 100 for quality but received 101');
    expect(() => normalizeStylizeOptions({ style: 'x', stripGps: 'yes' })).toThrow("Expected boolean for stripGps but received 'yes'");
  });
});

describe('parseBrush', () => {
  it('accepts integers in range and native', () => {
    expect(parseBrush(1024)).toBe(1024);
    expect(parseBrush('768')).toBe(768);
    expect(parseBrush(BRUSH.min)).toBe(BRUSH.min);
    expect(parseBrush(BRUSH.max)).toBe(BRUSH.max);
    expect(parseBrush('native')).toBe('native');
  });

  it('rejects bad values with a precise message', () => {
    expect(() => parseBrush(10)).toThrow("Expected integer between 256 and 8192 or 'native' for brush but received 10");
    expect(() => parseBrush('abc')).toThrow("Expected integer between 256 and 8192 or 'native' for brush but received 'abc'");
    expect(() => parseBrush(1024.5)).toThrow('received 1024.5');
    expect(() => parseBrush('1e3')).toThrow("received '1e3'");
    expect(() => parseBrush(9000)).toThrow('received 9000');
  });
});

describe('brushChosen', () => {
  it('a brush given is chosen; from the settings only one away from the default', () => {
    expect(brushChosen(undefined, 'given')).toBe(false);
    expect(brushChosen(DEFAULT_BRUSH, 'given')).toBe(true);
    expect(brushChosen(DEFAULT_BRUSH, 'settings')).toBe(false);
    expect(brushChosen(768, 'settings')).toBe(true);
    expect(brushChosen('native', 'settings')).toBe(true);
  });
});
