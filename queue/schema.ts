import { z } from 'zod';
import { durationField } from '../core/duration.js';

/**
 * Worker and queue settings (top-level `workers:`). Redis itself is chosen by REDIS_URL (or the
 * embedded `redis-server` that `weisu serve` starts), not here, so one config file serves every machine.
 */
export const workersSchema = z.strictObject({
  concurrency: z.number().int().min(1).max(256).default(8).describe('Sampling jobs one `weisu worker` process runs at once (frames grabbed in parallel, inference batched).'),
  batch: z.number().int().min(1).max(64).default(8).describe('Most frames sent to the detector in one inference call.'),
  batch_wait: durationField('workers.batch_wait').prefault('25ms').describe('How long a grabbed frame waits for others to fill a batch before inference runs anyway.'),
  prefix: z
    .string()
    .regex(/^\{[A-Za-z0-9_.:-]+\}$/, 'workers.prefix must be a Redis hash tag in braces, e.g. {weisu} or {weisu-east}')
    .default('{weisu}')
    .describe('Prefix of every Redis key weisu writes. Must be a Redis Cluster hash tag (`{...}`) so a queue\'s keys share one slot; change it to run two fleets on one Redis.'),
  metrics_port: z.number().int().min(0).max(65535).optional().describe('Port of the Prometheus metrics endpoint of `weisu worker` (0 picks a free port; the API serves serve\'s own).'),
  watchdog: durationField('workers.watchdog')
    .prefault('10s')
    .refine((ms) => ms >= 3000, { message: 'workers.watchdog must be at least 3s: worker processes beat every second, and a busy machine delays a beat or two' })
    .describe('`weisu serve --workers N`: a worker process whose heartbeat (one a second) has been silent this long is stuck (a camera froze it): serve kills it with its ffmpeg children, marks the cameras it held `stuck`, and starts another. Longer tolerates a busier machine; shorter frees a frozen worker sooner.'),
  evidence_ttl: durationField('workers.evidence_ttl').prefault('2h').describe('A camera whose first sighting frame is kept for evidence is remembered this long at most; longer than any dwell or persist time in use.'),
});

export type WorkersConfig = z.output<typeof workersSchema>;
