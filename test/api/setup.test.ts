import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraHealth } from '../../streams/health.js';
import { insertIncident } from '../../store/incidents.js';
import { auth, cameraBody, startApi, type Harness } from './harness.js';

/** GET /api/v1/setup: what a new installation lacks, step by step, as the console's empty pages tell it. */
describe('setup status', () => {
  let h: Harness;
  const health = new Map<string, CameraHealth>();
  type Setup = { next: string | null; steps: { step: string; done: boolean; cameras: string[]; zones: { camera_id: string; zone_id: string; dwell_ms: number | null }[] }[] };
  const setup = async () => (await h.app.inject({ method: 'GET', url: '/api/v1/setup', headers: auth(h.tokens.viewer) })).json() as Setup;
  const step = (s: Setup, name: string) => s.steps.find((x) => x.step === name)!;

  beforeAll(async () => {
    h = await startApi('pglite', { deps: { health: async (id) => health.get(id) } });
  });
  afterAll(async () => h?.close());

  it('walks from no camera to the first incident, and names the missing case system all along', async () => {
    let s = await setup();
    expect(s.next).toBe('camera');
    expect(s.steps.map((x) => x.step)).toEqual(['camera', 'frames', 'zone', 'incident', 'case_system']);
    expect(step(s, 'case_system').done).toBe(false);

    const post = (body: Record<string, unknown>) => h.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(h.tokens.admin), payload: body });
    expect((await post(cameraBody('no-zones', { zones: [] }))).statusCode).toBe(201);
    s = await setup();
    expect(s.next).toBe('frames');
    expect(step(s, 'frames').cameras).toEqual(['no-zones']);

    health.set('no-zones', { state: 'online', consecutiveFailures: 0, lastFrameAt: Date.now() });
    s = await setup();
    expect(s.next).toBe('zone');
    expect(step(s, 'zone').cameras).toEqual(['no-zones']);

    expect((await post(cameraBody('gate-cam'))).statusCode).toBe(201);
    s = await setup();
    expect(s.next).toBe('incident');
    // What must happen before the first incident: a vehicle staying in this zone for its dwell.
    expect(step(s, 'incident').zones).toEqual([{ camera_id: 'gate-cam', zone_id: 'gate', dwell_ms: 300_000 }]);

    await insertIncident(h.db, {
      id: 'gate-cam:gate:1', cameraId: 'gate-cam', zoneId: 'gate', kind: 'no_parking', mode: 'shadow', firstSeenMs: Date.now() - 400_000, confirmedMs: Date.now() - 100_000,
      lastSeenMs: Date.now(), subject: { box: [1, 2, 3, 4], label: 'car', score: 0.9 }, frameSize: { width: 1280, height: 720 }, plate: null, place: null, evidenceError: null,
    });
    s = await setup();
    expect(step(s, 'incident')).toMatchObject({ done: true, zones: [] });
    expect(s.next).toBe('case_system');
  });
});
