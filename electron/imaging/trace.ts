// Per-stage timing spans for profiling the per-file pipeline: PASTICHE_TRACE=1 prints one JSON
// line per span on stderr (`pastiche-trace {...}`), with `end` in epoch ms so spans from the
// worker and the main process line up on one timeline. Off by default; a disabled span costs
// one performance.now() call.

export const tracing = process.env['PASTICHE_TRACE'] === '1';

export interface TraceSpan {
  /** Ends the span; logs `{stage, ms, ...extra}` when tracing. */
  end(extra?: Record<string, string | number | boolean>): number;
}

/** Logs one finished span. */
export function trace(stage: string, ms: number, extra?: Record<string, string | number | boolean>): void {
  if (tracing)
    process.stderr.write(
      `pastiche-trace ${JSON.stringify({ stage, ms: Math.round(ms * 10) / 10, end: Math.round((performance.timeOrigin + performance.now()) * 10) / 10, pid: process.pid, ...extra })}\n`,
    );
}

export function span(stage: string): TraceSpan {
  const t0 = performance.now();
  return {
    end(extra) {
      const ms = performance.now() - t0;
      trace(stage, ms, extra);
      return ms;
    },
  };
}

/** Awaits fn inside a span named stage. */
export async function timed<T>(stage: string, fn: () => Promise<T> | T, extra?: Record<string, string | number | boolean>): Promise<T> {
  const s = span(stage);
  try {
    return await fn();
  } finally {
    s.end(extra);
  }
}
