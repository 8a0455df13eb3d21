import { ViewAligner } from '../../align/aligner.js';
import { cameraSchema } from '../../config/schema.js';
import { fullJpeg } from '../../core/frames.js';
import type { Frame } from '../../core/types.js';
import type { SampleDeps } from '../../pipeline/job_deps.js';
import { processSample, type SampleResult } from '../../pipeline/sample_job.js';
import { toSpec } from '../../queue/cameras.js';
import { WorkerMetrics } from '../../queue/worker_metrics.js';
import { backoffPolicy, sourceDefaults, streamsSchema } from '../../streams/schema.js';
import type { Source } from '../../streams/source.js';
import { memoryPorts } from './memory_ports.js';
import { media } from './paths.js';
import { VIEW_SIZE, viewOf, type ViewWindow } from './views.js';

/**
 * A camera (`cam` unless named) with one reference view whose pictures are given in turn, sampled by the real sampling
 * job on in-memory ports with the real aligner (no detector: every detection list is empty, and counted).
 * `sample()` takes the next picture, ten seconds after the last.
 */
export function viewCamera(aligner: ViewAligner, reference: Buffer, pictures: Buffer[], id = 'cam') {
  const spec = toSpec(cameraSchema.parse({ id, url: 'http://camera.invalid/snap.jpg', location: { lat: 40, lon: 124 }, sample_every: '10s' }), 0, undefined, [
    { id: 'ref-1', jpegBase64: reference.toString('base64') },
  ]);
  const { ports, state } = memoryPorts([spec]);
  const queue = [...pictures];
  let ts = 1_000_000;
  const counts = { detected: 0 };
  const cfg = streamsSchema.parse({});
  const metrics = new WorkerMetrics('w', 1);
  const deps: SampleDeps = {
    ports,
    sourceDefaults: sourceDefaults(cfg),
    backoff: backoffPolicy(cfg),
    openSource: (opts): Source => {
      const grab = async (): Promise<Frame> => ({ cameraId: opts.cameraId, ts: (ts += 10_000), ...VIEW_SIZE, jpeg: queue.shift()! });
      return { kind: 'http_snapshot', grab, sample: grab, close: async () => undefined };
    },
    detect: async (frame) => {
      counts.detected++;
      return { cameraId: frame.cameraId, ts: frame.ts, ...VIEW_SIZE, items: [] };
    },
    checkView: async (frame, refs) => aligner.check(await fullJpeg(frame), refs, { maxShift: 0.15 }),
    metrics,
    workerId: 'w',
  };
  return { state, metrics, counts, sample: (): Promise<SampleResult> => processSample(deps, { cameraId: id, due: Date.now() }) };
}

const STREET = 'street/road_parked_cars_lane00000.jpg';
const WINDOW: ViewWindow = { left: 200, top: 60, width: 1100, height: 480 };

/** The real aligner, and one real street as a camera sees it: clear, and with the lower 70 % of the lens covered (a bag, a hand). */
export async function coveredLens(): Promise<{ aligner: ViewAligner; clear: Buffer; covered: Buffer }> {
  const [aligner, clear, covered] = await Promise.all([
    ViewAligner.create(),
    viewOf(media(STREET), WINDOW),
    viewOf(media(STREET), WINDOW, { cover: [{ left: 0, top: 0.3, width: 1, height: 0.7, grey: 20 }] }),
  ]);
  return { aligner, clear, covered };
}
