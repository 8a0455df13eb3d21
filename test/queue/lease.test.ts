import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLease } from '../../queue/lease.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';

describe('queue/lease', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => redis.stop());

  it('is held by one at a time and renewed while held', async () => {
    const a = await acquireLease(redis.client, 'l1', 600);
    expect(a).not.toBeNull();
    expect(await acquireLease(redis.client, 'l1', 600)).toBeNull();
    // Well past its ttl, the holder's renewals keep it.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await acquireLease(redis.client, 'l1', 600)).toBeNull();
    await a!.release();
    const b = await acquireLease(redis.client, 'l1', 600);
    expect(b).not.toBeNull();
    await b!.release();
  });

  it('can be taken over once expired, and the old holder cannot free the new lease', async () => {
    const a = await acquireLease(redis.client, 'l2', 500);
    expect(a).not.toBeNull();
    await redis.client.set('l2', 'someone-else', 'PX', 300);
    await new Promise((r) => setTimeout(r, 400));
    const b = await acquireLease(redis.client, 'l2', 500);
    expect(b).not.toBeNull();
    // The old holder's release does not free the new holder's lease.
    await a!.release();
    expect(await redis.client.get('l2')).not.toBeNull();
    await b!.release();
  });
});
