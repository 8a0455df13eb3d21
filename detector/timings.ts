/** Cumulative per-stage time of a model runner (benchmarks read deltas; metrics can export totals). */
export interface Timings {
  preprocessMs: number;
  inferenceMs: number;
  postprocessMs: number;
  runs: number;
  frames: number;
}

export function createTimings(): Timings {
  return { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0, runs: 0, frames: 0 };
}

/**
 * Calls of `fn` run one after another, never overlapping: the runner reuses its tensor buffers, so two
 * callers (two cameras' jobs in one worker) must not fill them at the same time.
 */
export function serialised<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return (...args: A) => {
    const result = tail.then(() => fn(...args));
    tail = result.catch(() => undefined);
    return result;
  };
}
