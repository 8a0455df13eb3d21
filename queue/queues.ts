import { Queue, QueueEvents, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { IncidentMessage, ViewChangeMessage } from '../core/types.js';
import type { RedisClient } from './redis.js';

/**
 * The BullMQ queues weisu runs on, all under one hash-tagged prefix (Redis Cluster keeps each queue's keys
 * in one slot). `samples`: one job per camera per interval, made by the job schedulers. `incidents`:
 * confirmed and cleared events from workers to the alerts side. `rechecks`: "is it still there?" questions
 * from the alerts side, answered by a worker that samples the camera again. `view_changes`: a camera's
 * view left its reference or came back (queue/views.ts), from workers to the alerts side like incidents.
 */
export const QUEUE_NAMES = { samples: 'samples', incidents: 'incidents', rechecks: 'rechecks', viewChanges: 'view_changes' } as const;

export interface SampleJob {
  cameraId: string;
}

/** Ask a worker to look at a camera again: is the incident's subject still there? */
export interface RecheckJob {
  incidentId: string;
  cameraId: string;
  zoneId: string;
  kind: IncidentMessage['event']['kind'];
  /** The subject's box in full-resolution pixels when the incident was confirmed. */
  box: [number, number, number, number];
  /** Size of the frame `box` refers to; when unset, the camera's resolution is taken as unchanged. */
  frameSize?: { width: number; height: number };
}

export interface RecheckResult {
  verdict: 'gone' | 'present' | 'unknown';
  reason?: string;
  ts?: number;
  jpegBase64?: string;
}

export interface Queues {
  samples: Queue<SampleJob>;
  incidents: Queue<IncidentMessage>;
  rechecks: Queue<RecheckJob, RecheckResult>;
  viewChanges: Queue<ViewChangeMessage>;
  close(): Promise<void>;
}

/** A sample not taken is replaced by the next one: never retried, and forgotten once done. */
export const SAMPLE_JOB_OPTS: JobsOptions = { attempts: 1, removeOnComplete: true, removeOnFail: { count: 1000 } };

/**
 * Incidents are retried until the alerts side takes them — a store down for days included (the consumer
 * backs off to one try a minute: INCIDENT_BACKOFF) — and kept a day after completion so that re-emitting
 * the same event (same job id) is ignored by BullMQ.
 */
export const INCIDENT_JOB_OPTS: JobsOptions = {
  attempts: 20_000,
  backoff: { type: 'capped' },
  removeOnComplete: { age: 86_400 },
  removeOnFail: { age: 30 * 86_400 },
};

/** The `incidents` consumer's backoff: 1 s, doubling, at most a minute. */
export function incidentBackoff(attemptsMade: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attemptsMade - 1));
}

export function openQueues(connection: RedisClient, prefix: string): Queues {
  const conn = connection as unknown as ConnectionOptions;
  const samples = new Queue<SampleJob>(QUEUE_NAMES.samples, { connection: conn, prefix, defaultJobOptions: SAMPLE_JOB_OPTS });
  const incidents = new Queue<IncidentMessage>(QUEUE_NAMES.incidents, { connection: conn, prefix, defaultJobOptions: INCIDENT_JOB_OPTS });
  const rechecks = new Queue<RecheckJob, RecheckResult>(QUEUE_NAMES.rechecks, {
    connection: conn,
    prefix,
    defaultJobOptions: { attempts: 2, removeOnComplete: { age: 3600 }, removeOnFail: { age: 3600 } },
  });
  // Told to the alerts side as incidents are: retried until taken, re-sent ones dropped by job id.
  const viewChanges = new Queue<ViewChangeMessage>(QUEUE_NAMES.viewChanges, { connection: conn, prefix, defaultJobOptions: INCIDENT_JOB_OPTS });
  // Connection errors are the client's to report (queue/redis.ts logs losing and regaining Redis once).
  for (const q of [samples, incidents, rechecks, viewChanges]) q.on('error', () => undefined);
  return {
    samples,
    incidents,
    rechecks,
    viewChanges,
    async close() {
      await Promise.all([samples.close(), incidents.close(), rechecks.close(), viewChanges.close()]);
    },
  };
}

/** BullMQ job ids may not contain ':'; an event's id is its incident and type, so a re-emission is a no-op. */
export function incidentJobId(msg: IncidentMessage): string {
  return `${msg.event.incidentId}.${msg.event.type}`.replaceAll(':', '_');
}

export async function emitIncident(queue: Queue<IncidentMessage>, msg: IncidentMessage): Promise<void> {
  await queue.add(msg.event.type, msg, { jobId: incidentJobId(msg) });
}

export async function emitViewChange(queue: Queue<ViewChangeMessage>, msg: ViewChangeMessage): Promise<void> {
  await queue.add(msg.event, msg, { jobId: msg.id.replaceAll(':', '_') });
}

/** Scheduler jobs are named `repeat:<scheduler id>:<due millis>`: the due time is the start of the lag. */
export function scheduledAt(job: { id?: string; timestamp: number; delay?: number }): number {
  const m = /:(\d+)$/.exec(job.id ?? '');
  return m ? Number(m[1]) : job.timestamp + (job.delay ?? 0);
}

export function queueEvents(connection: RedisClient, prefix: string, name: string): QueueEvents {
  const events = new QueueEvents(name, { connection: connection as unknown as ConnectionOptions, prefix });
  events.on('error', () => undefined); // reported by the connection itself
  return events;
}
