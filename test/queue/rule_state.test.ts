import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentMessage } from '../../core/types.js';
import { redisKeys } from '../../queue/keys.js';
import { clearPending, commitState, deleteState, loadState } from '../../queue/rule_state.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';

const msg = (id: string): IncidentMessage => ({
  event: { type: 'confirmed', incidentId: id, cameraId: 'c', zoneId: 'z', kind: 'no_parking', firstSeen: 1, confirmedAt: 2, lastSeen: 2, ts: 2, subject: { box: [0, 0, 1, 1], label: 'car', score: 0.9 }, frameSize: { width: 10, height: 10 } },
  frames: [],
});

describe('queue/rule_state', () => {
  let redis: TestRedis;
  const keys = redisKeys('{state-test}');
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => redis.stop());

  it('starts empty and commits only on the version it read', async () => {
    const s0 = await loadState(redis.client, keys, 'cam');
    expect(s0).toEqual({ version: 0, rules: undefined, pending: [] });
    const v1 = await commitState(redis.client, keys, 'cam', 0, { rules: { n: 1 }, pending: [], ts: 100 });
    expect(v1).toBe(1);
    // A second writer that also read version 0 loses, and changes nothing.
    expect(await commitState(redis.client, keys, 'cam', 0, { rules: { n: 99 }, pending: [], ts: 101 })).toBeNull();
    expect(await loadState(redis.client, keys, 'cam')).toEqual({ version: 1, rules: { n: 1 }, pending: [], ts: 100 });
  });

  it('lets exactly one of many concurrent writers of the same version win', async () => {
    const { version } = await loadState(redis.client, keys, 'race');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => commitState(redis.client, keys, 'race', version, { rules: { writer: i }, pending: [], ts: i })));
    const winners = results.filter((r) => r !== null);
    expect(winners).toEqual([version + 1]);
    const winner = results.findIndex((r) => r !== null);
    expect((await loadState(redis.client, keys, 'race')).rules).toEqual({ writer: winner });
  });

  it('keeps committed events pending until they are cleared on the same version', async () => {
    const s = await loadState(redis.client, keys, 'ev');
    const v = (await commitState(redis.client, keys, 'ev', s.version, { rules: {}, pending: [msg('i1')], ts: 5 }))!;
    expect((await loadState(redis.client, keys, 'ev')).pending.map((m) => m.event.incidentId)).toEqual(['i1']);
    // Someone moved on meanwhile: clearing an old version does nothing (the new holder resends).
    const v2 = (await commitState(redis.client, keys, 'ev', v, { rules: {}, pending: [msg('i1')], ts: 6 }))!;
    expect(await clearPending(redis.client, keys, 'ev', v)).toBe(false);
    expect(await clearPending(redis.client, keys, 'ev', v2)).toBe(true);
    const after = await loadState(redis.client, keys, 'ev');
    expect(after.pending).toEqual([]);
    expect(after.ts).toBe(6);
    // A sample that carried another's unsent message clears only its own, keeping the other's age.
    const v3 = (await commitState(redis.client, keys, 'ev', v2, { rules: {}, pending: [msg('old'), msg('mine')], pendingAt: 1234, ts: 7 }))!;
    expect(await clearPending(redis.client, keys, 'ev', v3, { pending: [msg('old')], pendingAt: 1234 })).toBe(true);
    const carried = await loadState(redis.client, keys, 'ev');
    expect(carried.pending.map((m) => m.event.incidentId)).toEqual(['old']);
    expect(carried.pendingAt).toBe(1234);
    // Clearing does not move the version: a sample stepping meanwhile still commits.
    expect(carried.version).toBe(v3);
    await deleteState(redis.client, keys, 'ev');
    expect((await loadState(redis.client, keys, 'ev')).version).toBe(0);
  });
});
