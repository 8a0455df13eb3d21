/**
 * A background loop: runs `step`, then again at once while it reports work done, else after `idleMs`.
 * A failing step is reported and retried with a doubling pause (up to a minute: a receiver that is down
 * is not hammered, nor the log flooded); it never kills the loop. `stop()` waits for the step in flight,
 * so shutting down never cuts a call's bookkeeping in half.
 */
export class Loop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private failures = 0;

  constructor(
    private readonly step: () => Promise<number>,
    private readonly idleMs: number,
    private readonly onError: (e: unknown) => void,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.step().then(
        (done) => {
          this.failures = 0;
          this.schedule(done > 0 ? 0 : this.idleMs);
        },
        (e: unknown) => {
          this.failures += 1;
          this.onError(e);
          this.schedule(Math.min(60_000, Math.max(this.idleMs, this.idleMs * 2 ** this.failures)));
        },
      );
    }, ms);
  }
}
