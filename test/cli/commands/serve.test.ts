import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { redisKeys } from '../../../queue/keys.js';
import { openQueues, type Queues } from '../../../queue/queues.js';
import { connectRedis, embeddedUrlFile, freePort, type RedisClient } from '../../../queue/redis.js';
import type { WorkerReport } from '../../../queue/worker_metrics.js';
import type { CameraHealth } from '../../../streams/health.js';
import { media } from '../../support/paths.js';
import { commandLine, descendants, inGroups, isRunning, processGroup } from '../../support/procs.js';
import { makeClip } from '../../support/rtsp.js';
import { eventually, spawnWeisu, type WeisuProcess } from '../../support/weisu.js';

/**
 * `weisu serve --workers 2` as a user runs it: its own Redis, detection workers as child processes. A
 * worker frozen while it holds a camera (SIGSTOP: what a camera that blocks a worker's event loop does to
 * it) is killed and replaced, the camera's health says why, the API answers and the other cameras keep
 * being sampled. Ctrl-C (SIGINT to the whole process group) ends everything serve started, Redis last; a
 * second signal forces the exit. Outcomes only: how fast is not asserted on a shared machine.
 */
const PREFIX = '{serve-test}';
const SNAP_CAMS = ['snap-0', 'snap-1', 'snap-2'];

describe('weisu serve with worker processes', () => {
  let dir: string;
  let snapServer: Server;
  let cfgPath: string;
  let port: number;
  const started: WeisuProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weisu-serve-'));
    const street = readFileSync(media('street/road_cars_4s.jpg'));
    // Snapshot cameras; /hang/ accepts and never answers, so a worker holds that camera's sample for long.
    snapServer = createServer((req, res) => {
      if (req.url?.startsWith('/hang/')) return;
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(street);
    });
    await new Promise<void>((r) => snapServer.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(snapServer.address() as { port: number }).port}`;
    const loc = { lat: 40, lon: 124 };
    // A recorded camera too: its samples run ffmpeg, which must not outlive serve either.
    const clip = makeClip({ source: media('video/video_road_cars_9s.mp4'), seconds: 4, width: 320, fps: 10, gop: 10 });
    const cameras = [
      ...SNAP_CAMS.map((id) => ({ id, url: `${base}/street/${id}.jpg`, location: loc, sample_every: '2s' })),
      { id: 'file-0', url: clip, loop: true, location: loc, sample_every: '2s' },
      { id: 'hang-0', url: `${base}/hang/hang-0.jpg`, location: loc, sample_every: '2s' },
    ];
    port = await freePort();
    const config = {
      public_url: `http://127.0.0.1:${port}`,
      data_dir: join(dir, 'data'),
      detector: { threads: 1 },
      workers: { concurrency: 2, prefix: PREFIX },
      server: { auth: { public_metrics: true } },
      streams: { connect_timeout: '60s', frame_timeout: '60s' },
      cameras,
    };
    cfgPath = join(dir, 'weisu.yaml');
    writeFileSync(cfgPath, stringify(config));
  }, 120_000);

  afterAll(async () => {
    for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) process.kill(-p.child.pid!, 'SIGKILL');
    await Promise.all(started.map((p) => p.exited));
    await new Promise((r) => snapServer?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  /** serve in a process group of its own (as a shell starts it), listening, with its worker processes up. */
  async function startServe(): Promise<{ serve: WeisuProcess; redis: RedisClient; queues: Queues }> {
    const serve = spawnWeisu(['serve', '--config', cfgPath, '--port', String(port), '--workers', '2'], { REDIS_URL: undefined }, { detached: true });
    started.push(serve);
    await serve.waitFor(/listening on/, 180_000);
    const url = readFileSync(embeddedUrlFile(join(dir, 'data')), 'utf8').trim();
    const redis = connectRedis(url, 'serve-test');
    return { serve, redis, queues: openQueues(redis, PREFIX) };
  }

  const workerProcesses = (servePid: number) => descendants(servePid).filter((p) => commandLine(p.pid).includes('worker_process'));
  const keys = redisKeys(PREFIX);
  const lastSampleAt = async (redis: RedisClient, id: string) => {
    const raw = await redis.hget(keys.lastSample, id);
    return raw ? (JSON.parse(raw) as { at: number; outcome: string }) : undefined;
  };

  it('replaces a worker process that stops answering, blames the camera it held, and keeps answering and sampling', async () => {
    const { serve, redis, queues } = await startServe();
    try {
      const servePid = serve.child.pid!;
      await eventually(() => workerProcesses(servePid).length === 2, 60_000, () => `two worker processes\n--- serve ---\n${serve.output().slice(-3000)}`);
      // The worker that holds the hanging camera's sample, as Redis knows it (BullMQ names the worker).
      const holder = await eventually(
        async () => {
          const job = (await queues.samples.getActive()).find((j) => j.data.cameraId === 'hang-0');
          const report = job?.processedBy ? await redis.hget(keys.workers, job.processedBy) : null;
          return report ? (JSON.parse(report) as WorkerReport) : undefined;
        },
        120_000,
        () => `a worker holding hang-0\n--- serve ---\n${serve.output().slice(-3000)}`,
      );
      expect(workerProcesses(servePid).map((p) => p.pid)).toContain(holder.pid);
      // /health polled throughout: every call must be answered.
      const answers: (number | string)[] = [];
      let polling = true;
      const poll = (async () => {
        while (polling) {
          answers.push(await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.status, (e: Error) => e.message));
          await new Promise((r) => setTimeout(r, 250));
        }
      })();
      process.kill(holder.pid, 'SIGSTOP');
      const stoppedAt = Date.now();

      await eventually(() => !isRunning(holder.pid), 120_000, `the frozen worker ${holder.pid} killed`);
      await eventually(() => workerProcesses(servePid).length === 2 && !workerProcesses(servePid).some((p) => p.pid === holder.pid), 120_000, 'a new worker process in its place');
      const health = await eventually(
        async () => {
          const raw = await redis.hget(keys.health, 'hang-0');
          const h = raw ? (JSON.parse(raw) as CameraHealth) : undefined;
          return h?.reason === 'stuck' ? h : undefined;
        },
        30_000,
        'hang-0 health says stuck',
      );
      expect(health.lastError).toContain(holder.id);
      expect(serve.output()).toMatch(/detection worker process stopped answering/);
      // Every other camera sampled again after the freeze, by the workers there are now.
      for (const id of [...SNAP_CAMS, 'file-0']) {
        await eventually(async () => {
          const s = await lastSampleAt(redis, id);
          return s && s.at > stoppedAt && s.outcome === 'ok';
        }, 120_000, `${id} sampled after the freeze`);
      }
      polling = false;
      await poll;
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.filter((a) => a !== 200)).toEqual([]);
      // serve's /metrics still carries each worker process's own numbers.
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/weisu_samples_total\{outcome="ok",worker="[^"]+"\} [1-9]/);
    } finally {
      await queues.close();
      redis.disconnect();
      process.kill(-serve.child.pid!, 'SIGTERM');
      await serve.exited;
    }
  }, 600_000);

  /**
   * serve with its two worker processes up, and (once `ready` holds) what it started: the processes and
   * their groups, to check after it ended. Redis is read only through `ready`.
   */
  async function startedFamily(ready?: (redis: RedisClient) => Promise<unknown>) {
    const { serve, redis, queues } = await startServe();
    const servePid = serve.child.pid!;
    try {
      await eventually(() => workerProcesses(servePid).length === 2, 60_000, 'two worker processes');
      await ready?.(redis);
    } finally {
      await queues.close();
      redis.disconnect();
    }
    const family = descendants(servePid);
    return { serve, servePid, family, groups: new Set([servePid, ...family.map((p) => p.pgid)]) };
  }

  const nothingLeftIn = (groups: Set<number>) =>
    eventually(() => inGroups(groups).length === 0, 60_000, () => `left running: ${inGroups(groups).map((p) => `${p.pid} ${commandLine(p.pid)}`).join('; ')}`);

  it('Ctrl-C to its process group: exits 0, Redis stopped last, nothing it started left running', async () => {
    // Once the recorded camera was sampled (so ffmpeg has run).
    const { serve, servePid, family, groups } = await startedFamily((redis) =>
      eventually(async () => (await lastSampleAt(redis, 'file-0'))?.outcome === 'ok', 120_000, 'file-0 sampled'),
    );
    // Redis and each worker process run in groups of their own: the terminal's signal reaches serve alone.
    const redisPid = family.find((p) => commandLine(p.pid).startsWith('redis-server'))!.pid;
    expect(processGroup(redisPid)).not.toBe(servePid);
    for (const w of workerProcesses(servePid)) expect(processGroup(w.pid)).not.toBe(servePid);

    process.kill(-servePid, 'SIGINT');
    expect(await serve.exited).toEqual({ code: 0, signal: null });
    await nothingLeftIn(groups);
    expect(family.filter((p) => isRunning(p.pid))).toEqual([]);
    expect(serve.output()).not.toMatch(/embedded redis-server exited unexpectedly|redis connection lost/);
  }, 300_000);

  it('a second signal forces the exit, and still leaves nothing running', async () => {
    const { serve, servePid, groups } = await startedFamily();
    // A frozen worker cannot drain: the first signal's clean stop waits on it, the second cuts it short.
    process.kill(workerProcesses(servePid)[0]!.pid, 'SIGSTOP');
    process.kill(-servePid, 'SIGINT');
    await serve.waitFor(/shutting down/);
    process.kill(-servePid, 'SIGINT');
    expect(await serve.exited).toEqual({ code: 130, signal: null });
    expect(serve.output()).toMatch(/second signal/);
    await nothingLeftIn(groups);
  }, 300_000);

  it('killed outright (SIGKILL), leaves nothing behind either: its workers and its Redis stop by themselves', async () => {
    const { serve, servePid, groups } = await startedFamily();
    process.kill(servePid, 'SIGKILL');
    await serve.exited;
    await nothingLeftIn(groups);
  }, 300_000);
});
