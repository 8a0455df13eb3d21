import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { commandLine, descendants, inGroups } from '../../support/procs.js';
import { startTestRedis, type TestRedis } from '../../support/redis.js';
import { eventually, spawnWeisu } from '../../support/weisu.js';

/** `weisu worker` stopped as systemd or a terminal stops it: a signal to its whole process group. */
describe('weisu worker', () => {
  let dir: string;
  let redis: TestRedis;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weisu-worker-'));
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} to its process group: drains, leaves the fleet, exits 0, nothing left running`, async () => {
      const cfgPath = join(dir, 'weisu.yaml');
      writeFileSync(cfgPath, stringify({ public_url: 'http://127.0.0.1:8080', data_dir: join(dir, 'data'), detector: { threads: 1 }, workers: { prefix: '{worker-test}' } }));
      const worker = spawnWeisu(['worker', '--config', cfgPath], { REDIS_URL: redis.url }, { detached: true });
      await worker.waitFor(/taking sampling jobs/, 120_000);
      expect(await redis.client.hlen('{worker-test}:workers')).toBe(1);
      const pid = worker.child.pid!;
      const groups = new Set([pid, ...descendants(pid).map((p) => p.pgid)]);
      process.kill(-pid, signal);
      expect(await worker.exited).toEqual({ code: 0, signal: null });
      expect(worker.output()).toMatch(/detection worker stopped/);
      expect(await redis.client.hlen('{worker-test}:workers')).toBe(0);
      await eventually(() => inGroups(groups).length === 0, 30_000, () => `left running: ${inGroups(groups).map((p) => commandLine(p.pid)).join('; ')}`);
    }, 300_000);
  }
});
