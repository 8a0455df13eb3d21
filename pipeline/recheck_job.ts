import { boxIou } from '../core/geometry.js';
import { fullJpeg } from '../core/frames.js';
import type { RecheckJob, RecheckResult } from '../queue/queues.js';
import type { BinSiteZone } from '../rules/schema.js';
import { grabFrame, type SampleDeps } from './job_deps.js';

/** Vehicles matching the incident's subject this much still count as the same vehicle in place. */
const RECHECK_IOU = 0.3;

/**
 * "Is it still there?" for the alerts side: one fresh frame of the camera, judged against the incident's
 * subject (the same vehicle in the same place; the bin site still overflowing).
 */
export async function processRecheck(deps: SampleDeps, job: RecheckJob, signal?: AbortSignal): Promise<RecheckResult> {
  const camera = await deps.ports.cameras.read(job.cameraId);
  if (!camera) return { verdict: 'unknown', reason: 'camera is no longer sampled' };
  const got = await grabFrame(deps, camera, await deps.ports.health.read(camera.id), signal);
  if ('reason' in got) return { verdict: 'unknown', reason: `camera gave no frame: ${got.reason}` };
  const { frame } = got;
  const detections = await deps.detect(frame, camera);
  const out = { ts: frame.ts, jpegBase64: (await fullJpeg(frame)).toString('base64') };
  if (job.kind === 'no_parking') {
    // Boxes are in full-resolution pixels; a camera whose resolution changed is rescaled onto the old frame.
    const sx = (job.frameSize?.width ?? frame.width) / frame.width;
    const sy = (job.frameSize?.height ?? frame.height) / frame.height;
    const present = detections.items.some((d) => d.category === 'vehicle' && boxIou([d.box[0] * sx, d.box[1] * sy, d.box[2] * sx, d.box[3] * sy], job.box) >= RECHECK_IOU);
    return { verdict: present ? 'present' : 'gone', ...out };
  }
  const zone = camera.zones.find((z): z is BinSiteZone => z.kind === 'bin_site' && z.id === job.zoneId);
  if (!zone || !deps.observeBins) return { verdict: 'unknown', reason: zone ? 'no bin classifier configured' : `zone ${job.zoneId} no longer exists`, ...out };
  const obs = (await deps.observeBins(frame, [zone], camera.calibration))[zone.id];
  if (!obs || obs.state === 'skipped') return { verdict: 'unknown', reason: 'picture too dark or badly exposed to judge', ...out };
  return { verdict: obs.state === 'overflowing' ? 'present' : 'gone', ...out };
}
