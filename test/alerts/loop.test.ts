import { afterEach, describe, expect, it, vi } from 'vitest';
import { Loop } from '../../alerts/loop.js';

describe('background loop', () => {
  afterEach(() => void vi.useRealTimers());

  // On a clock the test moves by hand: the pauses the loop chooses are exact, however busy the machine.
  it('runs again at once while there is work, pauses when idle, backs off after failures, and stops cleanly', async () => {
    vi.useFakeTimers();
    const t0 = Date.now();
    const calls: number[] = [];
    const errors: string[] = [];
    let n = 0;
    const loop = new Loop(
      async () => {
        calls.push(Date.now() - t0);
        n += 1;
        if (n <= 3) return 1; // work: again at once
        if (n <= 5) throw new Error(`boom ${n}`);
        return 0;
      },
      40,
      (e) => errors.push((e as Error).message),
    );
    loop.start();
    await vi.advanceTimersByTimeAsync(330);
    // Three steps with work, each followed at once (a timer of 0, which Node counts as 1 ms); the fourth
    // fails: 40 ms × 2¹; the fifth fails too: 40 ms × 2²; the sixth finds nothing: idle pauses of 40 ms.
    expect(calls).toEqual([0, 1, 2, 3, 3 + 80, 83 + 160, 243 + 40, 283 + 40]);
    expect(errors).toEqual(['boom 4', 'boom 5']);
    await loop.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(8); // nothing after stop
  });
});
