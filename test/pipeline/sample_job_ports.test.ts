import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cameraSchema } from '../../config/schema.js';
import { StoreUnavailableError } from '../../core/errors.js';
import type { Detections, SampledFrame } from '../../core/types.js';
import type { SampleDeps } from '../../pipeline/job_deps.js';
import { processSample } from '../../pipeline/sample_job.js';
import { toSpec } from '../../queue/cameras.js';
import { WorkerMetrics } from '../../queue/worker_metrics.js';
import { backoffPolicy, sourceDefaults, streamsSchema } from '../../streams/schema.js';
import { StreamError, type Source, type SourceOptions } from '../../streams/source.js';
import { memoryPorts } from '../support/memory_ports.js';

/**
 * The sampling job against in-memory ports: no Redis, no model. A stand-in source hands out frames one
 * second of capture time apart and a stand-in detector sees one car in the zone, so every branch of the
 * job (commit, conflict, carried messages, failures by type, the config's stream settings) is driven
 * exactly and quickly.
 */
const W = 640;
const H = 480;
const CAR: [number, number, number, number] = [300, 400, 420, 470];
// The stand-in car is there from the first sample: not part of the scene the zone was drawn on.
const ZONE = { id: 'kerb', kind: 'no_parking', polygon: [[0.4, 0.8], [0.7, 0.8], [0.7, 1], [0.4, 1]], dwell: '2s', reference_scene: false };
const jpeg = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 200, g: 30, b: 30 } } }).jpeg().toBuffer();

function camera(id = 'cam') {
  return toSpec(cameraSchema.parse({ id, url: 'http://camera.invalid/snap.jpg', location: { lat: 40, lon: 124 }, sample_every: '1s', zones: [ZONE] }), 0);
}

function rig(streams: Record<string, unknown> = {}) {
  const { ports, state } = memoryPorts([camera()]);
  let ts = 1_000_000;
  const opened: SourceOptions[] = [];
  const cfg = streamsSchema.parse(streams);
  const rigged = {
    state,
    opened,
    /** Set to make the next grabs fail with this error. */
    grabError: undefined as Error | undefined,
    detect: async (frame: SampledFrame): Promise<Detections> => ({ cameraId: frame.cameraId, ts: frame.ts, width: W, height: H, items: [{ box: [...CAR], score: 0.9, classId: 2, label: 'car', category: 'vehicle' }] }),
    deps: undefined as unknown as SampleDeps,
  };
  rigged.deps = {
    ports,
    sourceDefaults: sourceDefaults(cfg),
    streams: cfg,
    backoff: backoffPolicy(cfg),
    openSource(opts): Source {
      opened.push(opts);
      return {
        kind: 'http_snapshot',
        async grab() {
          if (rigged.grabError) throw rigged.grabError;
          return { cameraId: opts.cameraId, ts: (ts += 1000), width: W, height: H, jpeg };
        },
        sample() {
          return this.grab();
        },
        close: async () => undefined,
      };
    },
    detect: (frame) => rigged.detect(frame),
    metrics: new WorkerMetrics('memory-worker', 1),
    workerId: 'memory-worker',
  };
  return rigged;
}

const sample = (deps: SampleDeps) => processSample(deps, { cameraId: 'cam', due: Date.now() });

describe('pipeline/sample_job on in-memory ports', () => {
  it('confirms a car standing past its dwell, with its first-seen and confirming frames, then hands the event on and forgets the first frame', async () => {
    const r = rig();
    const types: string[] = [];
    for (let i = 0; i < 4; i++) {
      const out = await sample(r.deps);
      expect(out.outcome).toBe('ok');
      types.push(...(out.events ?? []).map((e) => e.type));
    }
    expect(types).toEqual(['confirmed']);
    expect(r.state.emitted).toHaveLength(1);
    const [msg] = r.state.emitted;
    expect(msg!.frames.map((f) => f.role)).toEqual(['first_seen', 'confirmed']);
    expect(msg!.frames[0]!.ts).toBe(msg!.event.firstSeen);
    expect(r.state.rules.get('cam')).toMatchObject({ version: 4, pending: [] });
    expect(r.state.firstFrames.get('cam')!.size).toBe(0);
    expect(r.state.lastSample.get('cam')).toMatchObject({ worker: 'memory-worker', outcome: 'ok' });
  });

  it('drops its step when another worker committed the camera meanwhile (compare-and-set), emitting nothing', async () => {
    const r = rig();
    await sample(r.deps);
    r.state.beforeCommit = (id) => {
      const s = r.state.rules.get(id)!;
      r.state.rules.set(id, { ...s, version: s.version + 1 });
    };
    expect(await sample(r.deps)).toMatchObject({ outcome: 'conflict', reason: 'state_moved' });
    expect(r.state.emitted).toEqual([]);
  });

  it('re-sends messages a dead worker committed but never handed on, once their grace has passed', async () => {
    const r = rig();
    for (let i = 0; i < 4; i++) await sample(r.deps);
    const [msg] = r.state.emitted.splice(0);
    // As if the worker had died between its commit and the hand-on, two minutes ago.
    const s = r.state.rules.get('cam')!;
    r.state.rules.set('cam', { ...s, pending: [msg!], pendingAt: Date.now() - 120_000 });
    expect((await sample(r.deps)).outcome).toBe('ok');
    expect(r.state.emitted.map((m) => m.event.incidentId)).toEqual([msg!.event.incidentId]);
    expect(r.state.rules.get('cam')!.pending).toEqual([]);
  });

  it('names why a sample failed by the error type: the camera, the detector, the store, or a bug', async () => {
    const r = rig();
    r.grabError = new StreamError('unreachable', 'camera.invalid: no route');
    expect(await sample(r.deps)).toMatchObject({ outcome: 'failed', reason: 'unreachable' });
    r.grabError = undefined;
    r.state.health.delete('cam');
    r.detect = async () => {
      throw new Error('ECONNREFUSED in a message must not make this a store failure');
    };
    expect(await sample(r.deps)).toMatchObject({ outcome: 'failed', reason: 'detect' });
    r.detect = rig().detect;
    r.state.health.delete('cam');
    r.deps.ports.ruleState.load = async () => {
      throw new StoreUnavailableError('redis (ruleState.load)', new Error('Connection is closed'));
    };
    expect(await sample(r.deps)).toMatchObject({ outcome: 'failed', reason: 'redis' });
    r.deps.ports.ruleState.load = async () => {
      throw new TypeError('redis connection: a bug, whatever its message says');
    };
    expect(await sample(r.deps)).toMatchObject({ outcome: 'failed', reason: 'internal' });
  });

  it("opens the camera with the config's stream settings and backs off by its retry policy", async () => {
    const r = rig({ connect_timeout: '1500ms', frame_timeout: '2500ms', jpeg_quality: 55, retry: { first: '40s', max: '10m', offline_after: 1 } });
    r.grabError = new StreamError('unreachable', 'camera.invalid: no route');
    const before = Date.now();
    expect((await sample(r.deps)).reason).toBe('unreachable');
    expect(r.opened[0]).toMatchObject({ cameraId: 'cam', connectTimeoutMs: 1500, frameTimeoutMs: 2500, jpegQuality: 55 });
    const h = r.state.health.get('cam')!;
    // offline_after 1: offline at the first failure; retry.first 40 s, ± the policy's 20 % jitter.
    expect(h.state).toBe('offline');
    expect(h.retryAt! - before).toBeGreaterThanOrEqual(32_000);
    expect(h.retryAt! - Date.now()).toBeLessThanOrEqual(48_000);
    expect((await sample(r.deps)).outcome).toBe('skipped_backoff');
  });
});
