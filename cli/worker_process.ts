import { WeisuError } from '../core/errors.js';
import { log } from '../core/log.js';
import type { WorkerHost } from '../pipeline/worker_host.js';
import { SHUTDOWN_DRAIN_MS } from '../queue/shutdown.js';
import { BEAT_EVERY_MS, CLOSE_GRACE_MS, type FromWorker, type ToWorker } from '../queue/worker_pool.js';

/**
 * One detection worker as a child process of `weisu serve --workers N` (queue/worker_pool.ts). It beats
 * from its event loop from the first moment on, with the cameras whose samples it holds: when a camera
 * freezes this loop the beats stop, and serve kills and replaces this process and blames those cameras.
 * It stops (draining) when serve says so, on SIGTERM or SIGINT, and when serve is gone (the IPC channel
 * closes), so it never outlives serve.
 */
let host: WorkerHost | undefined;
let stopping = false;

const send = (m: FromWorker, then?: () => void) => {
  if (process.connected) process.send!(m, undefined, {}, () => then?.());
  else then?.();
};

setInterval(() => send({ type: 'beat', holding: host?.holding() ?? [], metrics: host?.metrics.render() ?? '' }), BEAT_EVERY_MS);

async function stop(drainMs = SHUTDOWN_DRAIN_MS): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Closing talks to Redis, which waits for a reconnect: with serve gone, its embedded Redis is gone too and
  // that wait would never end. The deadline ends this process anyway (its ffmpeg children go on exit).
  setTimeout(() => process.exit(0), drainMs + CLOSE_GRACE_MS).unref();
  await host?.close(drainMs).catch((e: Error) => log.warn({ err: e.message }, 'worker did not close cleanly'));
  process.exit(0);
}

process.on('message', (m: ToWorker) => {
  if (m.type === 'stop') void stop(m.drainMs);
  else if (m.type === 'start') {
    // Loaded after the beats began: loading the detector must not look like a stuck process.
    import('../pipeline/worker_host.js')
      .then(({ startWorkerHost }) => startWorkerHost({ config: m.config, redisUrl: m.redisUrl, id: m.id }))
      .then(
        (h) => {
          host = h;
          send({ type: 'ready' });
        },
        (e: Error) => send({ type: 'failed', message: e instanceof WeisuError ? e.describe() : e.message }, () => process.exit(1)),
      );
  }
});
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
