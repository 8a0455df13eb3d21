import type { StreamError } from './errors.js';

/**
 * One deadline at a time for a read that goes through phases (connecting, then waiting for a picture):
 * re-arming replaces the previous deadline; on expiry the error is kept and `onExpire` stops the work.
 */
export class PhaseTimer {
  private timer?: NodeJS.Timeout;
  /** The error of the deadline that passed, if one did. */
  expired?: StreamError;

  constructor(private readonly onExpire: () => void) {}

  arm(ms: number, make: () => StreamError): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.expired = make();
      this.onExpire();
    }, ms);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
