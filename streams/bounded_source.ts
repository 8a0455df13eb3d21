import type { Frame, SampledFrame } from '../core/types.js';
import { GRAB_BUDGET_FACTOR } from '../core/caps.js';
import { StreamError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { GrabInfo, Source, SourceKind } from './source.js';

/**
 * One ceiling on a whole grab. Each step of a grab has its own deadline (connect, frame, decode), but a
 * grab may take several steps (weisu's RTSP client, then ffmpeg, then ffmpeg probing longer): this bounds
 * their sum, so a camera that keeps each step just under its deadline still cannot hold a sample longer.
 * On expiry the grab is aborted (its ffmpeg children killed, sockets closed) and the caller gets `no_frame`.
 */
export class BoundedSource implements Source {
  readonly budgetMs: number;

  constructor(
    private readonly inner: Source,
    private readonly o: ResolvedOptions,
  ) {
    this.budgetMs = GRAB_BUDGET_FACTOR * (o.connectTimeoutMs + o.frameTimeoutMs);
  }

  get kind(): SourceKind {
    return this.inner.kind;
  }

  get lastGrab(): GrabInfo | undefined {
    return this.inner.lastGrab;
  }

  grab(signal?: AbortSignal): Promise<Frame> {
    return this.bounded((s) => this.inner.grab(s), signal);
  }

  sample(signal?: AbortSignal): Promise<SampledFrame> {
    return this.bounded((s) => this.inner.sample(s), signal);
  }

  private async bounded<T>(take: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const ctrl = new AbortController();
    const onAbort = () => ctrl.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) ctrl.abort();
    let timer: NodeJS.Timeout | undefined;
    const overrun = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Rejected before aborting, so the caller sees why rather than the inner grab's "cancelled".
        reject(new StreamError('no_frame', `${this.o.what}: no picture within ${this.budgetMs} ms for the whole grab (connect and frame timeouts, fallbacks included)`));
        ctrl.abort();
      }, this.budgetMs);
    });
    try {
      return await Promise.race([take(ctrl.signal), overrun]);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
