/**
 * Gathers single items handed in by concurrent jobs into batches for one call: the frames of the cameras a
 * worker holds at once go through the detector together. A batch runs when it is full or when its first
 * item has waited `maxWaitMs`; while a batch runs, new items gather and go as soon as it ends, so batches
 * grow with load by themselves.
 */
export interface Batcher<I, O> {
  submit(item: I): Promise<O>;
  /** Items waiting + items in the running batch. */
  readonly pending: number;
}

/** runBatch answers each item: its output, or the Error that item alone caused (the others still answered). */
export function createBatcher<I, O>(runBatch: (items: I[]) => Promise<(O | Error)[]>, opts: { maxSize: number; maxWaitMs: number; onBatch?(size: number, ms: number): void }): Batcher<I, O> {
  let queue: { item: I; resolve(o: O): void; reject(e: unknown): void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = 0;
  let busy = false;

  async function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (busy || queue.length === 0) return;
    busy = true;
    const batch = queue.slice(0, opts.maxSize);
    queue = queue.slice(batch.length);
    running = batch.length;
    const t0 = performance.now();
    try {
      const out = await runBatch(batch.map((b) => b.item));
      opts.onBatch?.(batch.length, performance.now() - t0);
      batch.forEach((b, i) => {
        const o = out[i]!;
        if (o instanceof Error) b.reject(o);
        else b.resolve(o);
      });
    } catch (e) {
      batch.forEach((b) => b.reject(e));
    } finally {
      running = 0;
      busy = false;
    }
    // What gathered while this batch ran has waited already: it goes at once.
    if (queue.length) void flush();
  }

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (busy) return;
        if (queue.length >= opts.maxSize) void flush();
        else timer ??= setTimeout(() => void flush(), opts.maxWaitMs);
      });
    },
    get pending() {
      return queue.length + running;
    },
  };
}
