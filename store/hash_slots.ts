import { WeisuError } from '../core/errors.js';

/**
 * At most `running` jobs at once and `waiting` queued behind them; beyond that a caller is refused at
 * once with `busy`. For password hashing: scrypt is expensive on purpose (16 MiB and tens of ms of a
 * libuv thread each), so a flood of logins, unbounded, would hold all of libuv's threads — which file
 * reads, DNS look-ups and compression share — and queue memory without end.
 */
export class HashSlots {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly opts: { running: number; waiting: number; what: string }) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.opts.running) {
      if (this.queue.length >= this.opts.waiting) {
        throw new WeisuError('busy', `too many ${this.opts.what} at once (${this.opts.running} running, ${this.opts.waiting} waiting)`, {
          fix: 'retry in a few seconds',
        });
      }
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await job();
    } finally {
      // The slot passes straight to the next in line, or is given back.
      const next = this.queue.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
