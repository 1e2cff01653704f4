// What every `pastiche` command shares: its shape, the common options, argument parsing and flag
// checks (electron/common/params.ts, parse mode) whose errors become usage errors naming the flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ParamError, parseDevice, parsePrecision, parseThreads } from '../common/params.js';
import type { EngineOptions } from '../engine/index.js';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export class UsageError extends Error {}

export interface Command {
  summary: string;
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

export const COMMON_OPTIONS = {
  'models-dir': { type: 'string' },
  'styles-dir': { type: 'string' },
  device: { type: 'string' },
  precision: { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, positionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: positionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Runs a flag validator; its ParamError becomes a usage error naming the flag. */
export function flag<T>(name: string, v: string | undefined, fn: (v: unknown, name: string) => T): T | undefined {
  if (v === undefined) return undefined;
  try {
    return fn(v, name);
  } catch (e) {
    if (e instanceof ParamError) throw new UsageError(`--${name}: ${e.message}`);
    throw e;
  }
}

export function engineOptions(values: {
  'models-dir'?: string | undefined;
  'styles-dir'?: string | undefined;
  device?: string | undefined;
  precision?: string | undefined;
  threads?: string | undefined;
}): EngineOptions {
  const o: EngineOptions = {};
  if (values['models-dir']) o.modelsDir = values['models-dir'];
  if (values['styles-dir']) o.userStylesDir = values['styles-dir'];
  const device = flag('device', values.device, parseDevice);
  if (device) o.device = device;
  const precision = flag('precision', values.precision, parsePrecision);
  if (precision) o.precision = precision;
  const threads = flag('threads', values.threads, parseThreads);
  if (threads) o.threads = threads;
  return o;
}

export function write(s: NodeJS.WritableStream, text: string): void {
  s.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A command's `--help`: its summary and usage. */
export function commandHelp(io: CliIo, c: Command): number {
  write(io.stdout, `${c.summary}\n\nUsage: ${c.usage}`);
  return 0;
}
