import { describe, expect, it } from 'vitest';
import { Loop } from '../../alerts/loop.js';

describe('background loop', () => {
  it('runs again at once while there is work, pauses when idle, backs off after failures, and stops cleanly', async () => {
    const calls: number[] = [];
    const errors: string[] = [];
    let n = 0;
    const loop = new Loop(
      async () => {
        calls.push(Date.now());
        n += 1;
        if (n <= 3) return 1; // work: again at once
        if (n <= 5) throw new Error(`boom ${n}`);
        return 0;
      },
      40,
      (e) => errors.push((e as Error).message),
    );
    loop.start();
    await new Promise((r) => setTimeout(r, 500));
    await loop.stop();
    const count = calls.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(calls.length).toBe(count); // nothing after stop
    expect(errors).toEqual(['boom 4', 'boom 5']);
    const gaps = calls.slice(1).map((t, i) => t - calls[i]!);
    expect(Math.max(...gaps.slice(0, 3))).toBeLessThan(gaps[4]!); // back-to-back while there is work
    expect(gaps[4]!).toBeGreaterThanOrEqual(150); // second failure: 40 ms × 2² pause
  });
});
