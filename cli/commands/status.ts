import { parseArgs } from 'node:util';
import { configPath, loadConfig } from '../../config/load.js';
import { fleetStatus, type FleetStatus } from '../../queue/fleet.js';
import { redisKeys } from '../../queue/keys.js';
import { openQueues } from '../../queue/queues.js';
import { connectRedis, resolveRedisUrl, waitForRedis } from '../../queue/redis.js';

export const summary = 'status [--config FILE] [--json]: the fleet from Redis — workers, their throughput and lag, cameras by health';

const ms = (v: number | undefined) => (v === undefined ? '-' : v >= 10_000 ? `${(v / 1000).toFixed(0)}s` : v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${Math.round(v)}ms`);
const ago = (at: number | undefined, now: number) => (at === undefined ? 'never' : `${ms(now - at)} ago`);

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => '  ' + r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

export function formatStatus(s: FleetStatus): string {
  const out: string[] = [];
  const q = s.queues;
  const count = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ');
  out.push(`workers: ${s.workers.length} alive${s.goneWorkers.length ? `, ${s.goneWorkers.length} gone (${s.goneWorkers.join(', ')})` : ''}`);
  out.push(`cameras: ${s.cameras.length} scheduled; by health: ${count(s.camerasByHealth) || 'none'}; overdue: ${s.cameras.filter((c) => c.overdue).length}`);
  out.push(`throughput: ${s.samplesPerSec.toFixed(2)} samples/s; lag (latest sample per camera) p50 ${ms(s.lagMs['0.5'])} p95 ${ms(s.lagMs['0.95'])} p99 ${ms(s.lagMs['0.99'])}`);
  out.push(`queues: samples [${count(q.samples)}]; incidents [${count(q.incidents)}]; rechecks [${count(q.rechecks)}]`);
  if (s.workers.length) {
    out.push('', 'workers:');
    out.push(
      ...table([
        ['id', 'host', 'pid', 'active', 'samples/s', 'lag p50', 'lag p95', 'lag p99', 'infer p50', 'infer p95', 'batch', 'failures', 'incidents', 'up'],
        ...s.workers.map((w) => [
          w.id,
          w.host,
          String(w.pid),
          `${w.active}/${w.concurrency}`,
          w.samplesPerSec.toFixed(2),
          ms(w.lagMs['0.5']),
          ms(w.lagMs['0.95']),
          ms(w.lagMs['0.99']),
          ms(w.inferenceMs['0.5']),
          ms(w.inferenceMs['0.95']),
          w.meanBatch.toFixed(1),
          Object.entries(w.failures).map(([k, v]) => `${k}:${v}`).join(' ') || '0',
          String(w.incidents),
          ms(s.at - w.startedAt),
        ]),
      ]),
    );
  }
  if (s.cameras.length) {
    out.push('', 'cameras (problems first):');
    const rank = (c: FleetStatus['cameras'][number]) => (c.health === 'online' ? 0 : 2) + (c.overdue ? 1 : 0);
    const cams = [...s.cameras].sort((a, b) => rank(b) - rank(a) || a.id.localeCompare(b.id));
    out.push(
      ...table([
        ['id', 'every', 'health', 'last sample', 'outcome', 'lag', 'by', 'problem'],
        ...cams.map((c) => [c.id, ms(c.every), c.health, ago(c.lastAt, s.at), c.lastOutcome ?? '-', ms(c.lastLagMs), c.lastWorker ?? '-', [c.overdue ? 'overdue' : '', c.reason ?? ''].filter(Boolean).join(', ')]),
      ]),
    );
  }
  return out.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const cfg = loadConfig(configPath(values.config));
  const url = resolveRedisUrl(cfg.data_dir);
  const redis = connectRedis(url, 'weisu-status');
  const queues = openQueues(redis, cfg.workers.prefix);
  try {
    await waitForRedis(redis, url, 5000);
    const status = await fleetStatus(redis, redisKeys(cfg.workers.prefix), queues);
    console.log(values.json ? JSON.stringify(status, null, 2) : formatStatus(status));
    return 0;
  } finally {
    await queues.close();
    redis.disconnect();
  }
}
