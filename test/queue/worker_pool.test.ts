import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import type { ConfigError } from '../../core/errors.js';
import { WorkerPool } from '../../queue/worker_pool.js';
import { isRunning } from '../support/procs.js';
import { eventually } from '../support/weisu.js';

/**
 * `workers.watchdog` decides how long a silent worker process may stay. The children are real processes
 * (test/support/slow_beat_worker.mjs) that beat every 5 s instead of every second: a watchdog of 3 s
 * calls each one stuck between two beats, whatever the machine's load; one of 30 s never does, because
 * a beat comes long before. Outcomes only (killed or not, which cameras blamed), never how fast.
 */
const ENTRY = fileURLToPath(new URL('../support/slow_beat_worker.mjs', import.meta.url));
const BEAT_MS = 5000;

function configWith(watchdog: string) {
  return parseConfig(`public_url: http://127.0.0.1:8080\nworkers:\n  watchdog: ${watchdog}\n`);
}

describe('worker pool watchdog (workers.watchdog)', () => {
  let pool: WorkerPool | undefined;
  const env = process.env.WEISU_TEST_BEAT_MS;
  afterEach(async () => {
    await pool?.close(0);
    pool = undefined;
    process.env.WEISU_TEST_BEAT_MS = env;
  });

  async function startPool(watchdog: string) {
    process.env.WEISU_TEST_BEAT_MS = String(BEAT_MS);
    const config = configWith(watchdog);
    const stuck: { workerId: string; cameras: string[]; silentMs: number }[] = [];
    pool = new WorkerPool({ size: 1, entry: ENTRY, config, redisUrl: 'redis://unused', silenceMs: config.workers.watchdog, onStuck: async (s) => void stuck.push(s) });
    await pool.start();
    return { stuck, first: pool.workers()[0]! };
  }

  it('is parsed from the config as a duration, 10 s by default, and refuses less than 3 s', () => {
    expect(configWith('3s').workers.watchdog).toBe(3000);
    expect(parseConfig('public_url: http://127.0.0.1:8080\n').workers.watchdog).toBe(10_000);
    let issues: ConfigError['issues'] = [];
    try {
      configWith('500ms');
    } catch (e) {
      issues = (e as ConfigError).issues;
    }
    // One issue, at the field, saying the limit; its code and fix come from the closed set of config issues.
    expect(issues).toEqual([expect.objectContaining({ field: 'workers.watchdog', code: 'invalid', message: expect.stringMatching(/at least 3s/) })]);
  });

  it('3 s: a worker beating every 5 s is killed as stuck and replaced, its camera blamed', async () => {
    const { stuck, first } = await startPool('3s');
    await eventually(() => stuck.length > 0, 60_000, 'the slow worker called stuck');
    expect(stuck[0]!.cameras).toEqual(['slow-cam']);
    expect(stuck[0]!.silentMs).toBeGreaterThan(3000);
    expect(isRunning(first.pid)).toBe(false);
    await eventually(() => pool!.workers().some((w) => w.pid !== first.pid), 60_000, 'a new worker in its place');
  }, 120_000);

  it('30 s: the same worker is left alone across several beats', async () => {
    const { stuck, first } = await startPool('30s');
    // Three beat intervals: each silence (5 s) is far under the watchdog.
    await new Promise((r) => setTimeout(r, 3 * BEAT_MS));
    expect(stuck).toEqual([]);
    expect(pool!.workers().map((w) => w.pid)).toEqual([first.pid]);
  }, 120_000);
});
