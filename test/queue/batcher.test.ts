import { describe, expect, it } from 'vitest';
import { createBatcher } from '../../queue/batcher.js';

describe('queue/batcher', () => {
  it('runs items submitted together as one batch, in order, each getting its own result', async () => {
    const calls: number[][] = [];
    const b = createBatcher<number, number>(async (xs) => {
      calls.push(xs);
      return xs.map((x) => x * 10);
    }, { maxSize: 8, maxWaitMs: 20 });
    const out = await Promise.all([1, 2, 3].map((x) => b.submit(x)));
    expect(out).toEqual([10, 20, 30]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('splits at maxSize and gathers what arrives during a run into the next batch', async () => {
    const calls: number[][] = [];
    const b = createBatcher<number, number>(async (xs) => {
      calls.push(xs);
      await new Promise((r) => setTimeout(r, 30));
      return xs;
    }, { maxSize: 2, maxWaitMs: 1000 });
    const first = [1, 2, 3].map((x) => b.submit(x));
    await new Promise((r) => setTimeout(r, 10));
    const later = [4].map((x) => b.submit(x));
    expect(await Promise.all([...first, ...later])).toEqual([1, 2, 3, 4]);
    expect(calls).toEqual([[1, 2], [3, 4]]);
  });

  it('fails every item of a failed batch, and keeps working afterwards', async () => {
    let fail = true;
    const b = createBatcher<number, number>(async (xs) => {
      if (fail) throw new Error('model crashed');
      return xs;
    }, { maxSize: 4, maxWaitMs: 5 });
    const r = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await b.submit(3)).toBe(3);
  });

  it('fails only the item that caused an error when the batch answers per item', async () => {
    const b = createBatcher<number, number>(async (xs) => xs.map((x) => (x === 2 ? new Error('corrupt frame 2') : x * 10)), { maxSize: 4, maxWaitMs: 5 });
    const r = await Promise.allSettled([b.submit(1), b.submit(2), b.submit(3)]);
    expect(r[0]).toEqual({ status: 'fulfilled', value: 10 });
    expect(r[1]).toMatchObject({ status: 'rejected', reason: { message: 'corrupt frame 2' } });
    expect(r[2]).toEqual({ status: 'fulfilled', value: 30 });
  });
});
