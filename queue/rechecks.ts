import type { QueueEvents } from 'bullmq';
import type { BBox, IncidentKind } from '../core/types.js';
import { log } from '../core/log.js';
import type { Queues } from './queues.js';

/**
 * The alerts side's "is it still there?" (alerts/recheck.ts `Rechecker`), answered by the detection side:
 * a `rechecks` job that any worker takes, samples the camera once and judges. Whatever goes wrong (no
 * worker, camera down, timeout) is `unknown`, and the alerts side asks again on its next round.
 */
export function createRechecker(queues: Queues, events: QueueEvents, timeoutMs = 60_000) {
  return async (incident: { id: string; cameraId: string; zoneId: string; kind: IncidentKind; box: BBox }): Promise<'gone' | 'present' | 'unknown'> => {
    let job;
    try {
      job = await queues.rechecks.add('recheck', { incidentId: incident.id, cameraId: incident.cameraId, zoneId: incident.zoneId, kind: incident.kind, box: incident.box });
      const result = await job.waitUntilFinished(events, timeoutMs);
      return result.verdict;
    } catch (e) {
      log.info({ incident: incident.id, err: (e as Error).message }, 'recheck gave no answer');
      // An answer arriving after we stopped waiting is useless: do not leave the question queued.
      await job?.remove().catch(() => undefined);
      return 'unknown';
    }
  };
}
