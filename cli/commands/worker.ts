import { parseArgs } from 'node:util';
import { configPath, loadConfig } from '../../config/load.js';
import { intFlag } from '../flags.js';
import { log } from '../../core/log.js';
import { connectRedis, resolveRedisUrl, waitForRedis } from '../../queue/redis.js';
import { startWorkerHost } from '../../pipeline/worker_host.js';
import { redactUrl } from '../../streams/redact.js';
import { onShutdown, SHUTDOWN_DRAIN_MS } from '../../queue/shutdown.js';

export const summary = 'worker [--config FILE] [--concurrency N] [--metrics-port N]: a detection worker taking sampling jobs from Redis (REDIS_URL)';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, concurrency: { type: 'string' }, 'metrics-port': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(`usage: weisu worker [--config FILE] [--concurrency N] [--metrics-port N]
  Takes sampling jobs from the Redis in REDIS_URL (or of the weisu serve on this machine with the same data_dir).
  --concurrency N    sampling jobs at once (default workers.concurrency)
  --metrics-port N   serve Prometheus metrics at http://HOST:N/metrics (0: any free port; default workers.metrics_port)`);
    return 0;
  }
  const cfg = loadConfig(configPath(values.config));
  const concurrency = values.concurrency === undefined ? undefined : intFlag('--concurrency', values.concurrency, 1);
  const metricsPort = values['metrics-port'] === undefined ? cfg.workers.metrics_port : intFlag('--metrics-port', values['metrics-port'], 0);
  const redisUrl = resolveRedisUrl(cfg.data_dir);
  const probe = connectRedis(redisUrl, 'weisu-worker-probe');
  try {
    await waitForRedis(probe, redisUrl);
  } finally {
    probe.disconnect();
  }
  const host = await startWorkerHost({ config: cfg, redisUrl, concurrency, metricsPort });
  console.log(`weisu worker ${host.id}: taking sampling jobs from ${redactUrl(redisUrl)}${host.metricsUrl ? `; metrics at ${host.metricsUrl}` : ''}`);
  await onShutdown(async (signal) => {
    log.info({ signal }, 'draining: finishing the samples in hand');
    await host.close(SHUTDOWN_DRAIN_MS);
  });
  return 0;
}
