import { beforeAll, describe, expect, it } from 'vitest';
import { ViewAligner } from '../../align/aligner.js';
import { cameraSchema } from '../../config/schema.js';
import type { Frame } from '../../core/types.js';
import type { SampleDeps } from '../../pipeline/job_deps.js';
import { processSample } from '../../pipeline/sample_job.js';
import { toSpec } from '../../queue/cameras.js';
import { WorkerMetrics } from '../../queue/worker_metrics.js';
import { backoffPolicy, sourceDefaults, streamsSchema } from '../../streams/schema.js';
import type { Source } from '../../streams/source.js';
import { memoryPorts } from '../support/memory_ports.js';
import { media } from '../support/paths.js';
import { viewOf, VIEW_SIZE, type ViewWindow } from '../support/views.js';

/**
 * The sampling job with a reference view, on in-memory ports and the real aligner: a camera whose lens
 * gets covered and uncovered. Its view state says so (with the first covered picture kept for operators),
 * the count of checks by state grows, and no detector call or rule step happens on a covered picture.
 */
const REF: ViewWindow = { left: 200, top: 60, width: 1100, height: 480 };
const FILE = 'street/road_parked_cars_lane00000.jpg';

let aligner: ViewAligner;
let clear: Buffer;
let covered: Buffer;
beforeAll(async () => {
  aligner = await ViewAligner.create();
  clear = await viewOf(media(FILE), REF);
  covered = await viewOf(media(FILE), REF, { cover: [{ left: 0, top: 0.3, width: 1, height: 0.7, grey: 20 }] });
});

describe('pipeline/sample_job with a reference view', () => {
  it('records view changes and resumptions, keeps the first covered picture, and does not detect on a covered picture', async () => {
    const spec = toSpec(cameraSchema.parse({ id: 'cam', url: 'http://camera.invalid/snap.jpg', location: { lat: 40, lon: 124 }, sample_every: '10s' }), 0, undefined, [
      { id: 'ref-1', jpegBase64: clear.toString('base64') },
    ]);
    const { ports, state } = memoryPorts([spec]);
    const pictures = [clear, covered, covered, clear];
    let ts = 1_000_000;
    let detected = 0;
    const cfg = streamsSchema.parse({});
    const metrics = new WorkerMetrics('w', 1);
    const deps: SampleDeps = {
      ports,
      sourceDefaults: sourceDefaults(cfg),
      backoff: backoffPolicy(cfg),
      openSource: (opts): Source => ({
        kind: 'http_snapshot',
        grab: async (): Promise<Frame> => ({ cameraId: opts.cameraId, ts: (ts += 10_000), ...VIEW_SIZE, jpeg: pictures.shift()! }),
        close: async () => undefined,
      }),
      detect: async (frame) => {
        detected++;
        return { cameraId: frame.cameraId, ts: frame.ts, ...VIEW_SIZE, items: [] };
      },
      checkView: (frame, refs) => aligner.check(frame.jpeg, refs, { maxShift: 0.15 }),
      metrics,
      workerId: 'w',
    };
    const seen: { state?: string; reason?: string; since?: number; picture: boolean; detected: number }[] = [];
    for (let i = 0; i < 4; i++) {
      expect((await processSample(deps, { cameraId: 'cam', due: Date.now() })).outcome).toBe('ok');
      const v = state.views.get('cam');
      seen.push({ state: v?.state, reason: v?.reason, since: v?.since, picture: state.viewPictures.has('cam'), detected });
    }
    expect(seen.map((s) => [s.state, s.reason, s.picture, s.detected])).toEqual([
      ['aligned', undefined, false, 1],
      ['obstructed', 'covered', true, 1],
      ['obstructed', 'covered', true, 1],
      ['aligned', undefined, false, 2],
    ]);
    // The obstruction's start is kept while it lasts; the kept picture is the first covered one.
    expect(seen[2]!.since).toBe(seen[1]!.since);
    expect(metrics.registry.render()).toMatch(/weisu_view_checks_total\{[^}]*state="obstructed"[^}]*\} 2/);
  });
});
