/** `server.auth.login_backoff`, durations in ms. */
export interface LoginBackoff {
  free_failures: number;
  base_delay: number;
  max_delay: number;
  forget_after: number;
}

interface Failures {
  count: number;
  /** When this username may be tried again (ms since the epoch). */
  openAt: number;
  lastAt: number;
  /** An attempt is being checked right now. */
  checking: boolean;
}

/**
 * A growing delay per username after failed logins, so that guessing one account's password costs the
 * guesser time, from any number of addresses. Checked before the password is hashed: a refused attempt
 * costs the server nothing. The count is kept per username as typed, whether or not such a user exists,
 * so answers never tell which usernames exist. One attempt per username is checked at a time: parallel
 * guesses cannot all slip in before the first failure counts.
 *
 * Kept in memory per process, at most `maxUsernames` usernames (the least recently failed go first):
 * bounded memory, at the price that someone failing logins for that many other names from many
 * addresses may clear a count early (docs/security.md).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly cfg: LoginBackoff,
    private readonly maxUsernames = 10_000,
  ) {}

  /**
   * 0 when `username` may be tried now — it is then reserved until `finish` — else how many ms to wait.
   */
  begin(username: string, now = Date.now()): number {
    const f = this.current(username, now);
    if (!f) {
      this.remember(username, { count: 0, openAt: 0, lastAt: now, checking: true });
      return 0;
    }
    // A check in flight takes a hash's time; a second to wait is plenty and says "retry" plainly.
    if (f.checking) return Math.max(1000, f.openAt - now);
    if (f.openAt > now) return f.openAt - now;
    f.checking = true;
    return 0;
  }

  /**
   * Ends the attempt `begin` admitted: `ok` clears the username's failures, `failed` counts one and
   * returns the delay before the next attempt, `undecided` (the check itself could not run) only frees it.
   */
  finish(username: string, outcome: 'ok' | 'failed' | 'undecided', now = Date.now()): number {
    const f = this.failures.get(username);
    if (!f || outcome === 'ok') {
      this.failures.delete(username);
      return 0;
    }
    f.checking = false;
    if (outcome === 'undecided') {
      if (f.count === 0) this.failures.delete(username);
      return 0;
    }
    f.count += 1;
    f.lastAt = now;
    const delay = this.delayAfter(f.count);
    f.openAt = now + delay;
    this.remember(username, f);
    return delay;
  }

  /** The wait after `n` failures in a row: none for the free ones, then doubling up to the cap. */
  delayAfter(n: number): number {
    const over = n - this.cfg.free_failures;
    if (over <= 0) return 0;
    return Math.min(this.cfg.max_delay, this.cfg.base_delay * 2 ** Math.min(over - 1, 40));
  }

  private current(username: string, now: number): Failures | undefined {
    const f = this.failures.get(username);
    if (f && !f.checking && now - f.lastAt > this.cfg.forget_after && f.openAt <= now) {
      this.failures.delete(username);
      return undefined;
    }
    return f;
  }

  /** Stores (or moves to the newest end), dropping the least recently failed beyond the cap. */
  private remember(username: string, f: Failures): void {
    this.failures.delete(username);
    this.failures.set(username, f);
    for (const oldest of this.failures.keys()) {
      if (this.failures.size <= this.maxUsernames) break;
      this.failures.delete(oldest);
    }
  }
}
