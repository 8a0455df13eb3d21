import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cameraSchema } from '../../config/schema.js';
import type { Detections, SampledFrame } from '../../core/types.js';
import type { SampleDeps } from '../../pipeline/job_deps.js';
import { processSample } from '../../pipeline/sample_job.js';
import type { PatrolPhase } from '../../onvif/patrol.js';
import { toSpec } from '../../queue/cameras.js';
import { WorkerMetrics } from '../../queue/worker_metrics.js';
import { backoffPolicy, sourceDefaults, streamsSchema } from '../../streams/schema.js';
import type { Source } from '../../streams/source.js';
import { memoryPorts } from '../support/memory_ports.js';

/**
 * A patrolling dome's samples on in-memory ports (the patrol itself is driven over real ONVIF in
 * test/onvif/patrol.test.ts): nothing is grabbed between stops; at a stop only that preset's zones run, on a
 * rule state of that preset's own; a car standing at the same place on two visits has been there since the
 * first, and its evidence pairs a picture of the first visit with one of the later.
 * A stand-in source gives capture times the test sets, a stand-in detector sees one car in the west zone.
 */
const W = 640;
const H = 480;
const CAR: [number, number, number, number] = [300, 400, 420, 470];
const zone = (id: string, preset: string, polygon: number[][]) => ({ id, preset, kind: 'no_parking', polygon, dwell: '30s', reference_scene: false });
const jpeg = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 90, g: 90, b: 90 } } }).jpeg().toBuffer();
const camera = toSpec(
  cameraSchema.parse({
    id: 'dome',
    url: 'http://camera.invalid/snap.jpg',
    location: { lat: 40, lon: 124 },
    sample_every: '1s',
    zones: [zone('west-kerb', 'west', [[0.4, 0.8], [0.7, 0.8], [0.7, 1], [0.4, 1]]), zone('east-kerb', 'east', [[0, 0], [0.3, 0], [0.3, 0.3], [0, 0.3]])],
    onvif: { address: 'http://camera.invalid/onvif/device_service', user: 'op', password: 'pw' },
    patrol: { stops: [{ preset: 'west', stay: '10s' }, { preset: 'east', stay: '10s' }] },
  }),
  0,
);

function rig() {
  const { ports, state } = memoryPorts([camera]);
  const cfg = streamsSchema.parse({});
  const r = {
    state,
    ts: 1_000_000,
    grabs: 0,
    /** Sets where the patrol is, as its runner would publish it. */
    at(preset: string, phase: PatrolPhase, at = Date.now()) {
      state.patrols.set('dome', { preset, phase, since: at, at });
    },
    deps: {
      ports,
      sourceDefaults: sourceDefaults(cfg),
      streams: cfg,
      backoff: backoffPolicy(cfg),
      openSource: (opts): Source => {
        const grab = async () => (r.grabs++, { cameraId: opts.cameraId, ts: (r.ts += 1000), width: W, height: H, jpeg });
        return { kind: 'http_snapshot', grab, sample: grab, close: async () => undefined };
      },
      detect: async (f: SampledFrame): Promise<Detections> => ({ cameraId: f.cameraId, ts: f.ts, width: W, height: H, items: [{ box: [...CAR], score: 0.9, classId: 2, label: 'car', category: 'vehicle' }] }),
      metrics: new WorkerMetrics('memory-worker', 1),
      workerId: 'memory-worker',
    } satisfies SampleDeps as SampleDeps,
  };
  return r;
}

const sample = (deps: SampleDeps) => processSample(deps, { cameraId: 'dome', due: Date.now() });

describe('pipeline/sample_job on a patrolling dome', () => {
  it('grabs nothing while the dome travels, settles, is under manual control or its runner is silent', async () => {
    const r = rig();
    expect(await sample(r.deps)).toMatchObject({ outcome: 'skipped_patrol' });
    for (const phase of ['going', 'settling', 'manual'] as const) {
      r.at('west', phase);
      expect(await sample(r.deps)).toMatchObject({ outcome: 'skipped_patrol' });
    }
    r.at('west', 'sampling', Date.now() - 60_000);
    expect(await sample(r.deps)).toMatchObject({ outcome: 'skipped_patrol' });
    expect(r.grabs).toBe(0);
    expect(r.state.rules.size).toBe(0);
  });

  it('keeps each preset its own zones and rule state; a car there on two visits is confirmed from the first, with a picture of each', async () => {
    const r = rig();
    r.at('west', 'sampling');
    for (let i = 0; i < 3; i++) expect(await sample(r.deps)).toMatchObject({ outcome: 'ok', events: [] });
    const firstVisit = r.ts - 2000;
    expect([...r.state.rules.keys()]).toEqual(['dome@west']);

    // Away at the east stop: the west state is left as it was; the east zone has no car.
    const west = structuredClone(r.state.rules.get('dome@west'));
    r.at('east', 'sampling');
    r.ts += 20_000;
    for (let i = 0; i < 3; i++) expect(await sample(r.deps)).toMatchObject({ outcome: 'ok', events: [] });
    expect(r.state.rules.get('dome@west')).toEqual(west);
    expect(Object.keys((r.state.rules.get('dome@east')!.rules as { zones: object }).zones)).toEqual(['east-kerb']);

    // Back at west 40 s after the first sighting: the car still stands there, so its 30 s dwell is met.
    r.at('west', 'sampling');
    r.ts += 15_000;
    const events: string[] = [];
    for (let i = 0; i < 3 && !events.length; i++) events.push(...((await sample(r.deps)).events ?? []).map((e) => e.type));
    expect(events).toEqual(['confirmed']);
    const [msg] = r.state.emitted;
    expect(msg!.event).toMatchObject({ zoneId: 'west-kerb', firstSeen: firstVisit });
    expect(msg!.frames.map((f) => [f.role, f.ts])).toEqual([
      ['first_seen', firstVisit],
      ['confirmed', r.ts],
    ]);
  });
});
