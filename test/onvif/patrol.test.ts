import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatrolPosition } from '../../onvif/patrol.js';
import { PatrolRunner, samplingPreset } from '../../onvif/patrol_runner.js';
import { patrolSchema } from '../../onvif/schema.js';
import { media } from '../support/paths.js';
import { startVirtualPtz, type VirtualPtz } from '../support/virtual_ptz.js';
import { eventually } from '../support/weisu.js';

/**
 * A patrol driven over the virtual dome's real ONVIF service: stops visited in order (GotoPreset, the head
 * travelling at its finite speed, settle, stay), and an operator who grabs the joystick pausing the patrol
 * until the head has been still for manual_idle, after which the patrol goes back to its stop.
 */
const PRESETS = [
  { token: 'west', name: 'West kerb', position: { pan: -0.6, tilt: 0, zoom: 0.4 } },
  { token: 'east', name: 'East kerb', position: { pan: 0.6, tilt: 0, zoom: 0.4 } },
];
const PLAN = patrolSchema.parse({ stops: [{ preset: 'west', settle: '500ms', stay: '2s' }, { preset: 'east', settle: '500ms', stay: '2s' }], manual_idle: '3s' });

describe('patrol runner over the virtual dome', () => {
  let cam: VirtualPtz;
  let runner: PatrolRunner;
  const seen: PatrolPosition[] = [];
  const phases = () => seen.map((p) => `${p.preset}:${p.phase}`).filter((s, i, all) => s !== all[i - 1]);

  beforeAll(async () => {
    cam = await startVirtualPtz({ picture: media('street/street_timessquare.png'), user: 'op', password: 'patrol-pw-1', presets: PRESETS, start: { pan: 0, tilt: 0.5, zoom: 0 }, fps: 1 });
    runner = new PatrolRunner(
      { id: 'dome', onvif: { address: cam.onvifUrl, user: 'op', password: 'patrol-pw-1', timeout: 5000 }, patrol: PLAN },
      { policy: { allowNetworks: [], allowLocal: true }, pollMs: 200, publish: async (_id, p) => void seen.push(p) },
    );
    runner.start();
  }, 180_000);
  afterAll(async () => {
    await runner?.stop();
    await cam?.stop();
  });

  it('visits the stops in order: going, settling, sampling at each, round again', async () => {
    await eventually(() => phases().join(' ').includes('west:sampling east:going east:settling east:sampling west:going'), 30_000, () => `phases: ${phases().join(' ')}`);
    expect(phases().slice(0, 3)).toEqual(['west:going', 'west:settling', 'west:sampling']);
    // Only while sampling does a worker sample, and only at that stop.
    const sampling = seen.find((p) => p.phase === 'sampling')!;
    expect(samplingPreset(sampling, sampling.at)).toBe(sampling.preset);
    expect(samplingPreset(seen.find((p) => p.phase === 'going'), seen[0]!.at)).toBeUndefined();
    expect(cam.device.calls.filter((c) => c.op === 'GotoPreset' && c.ok).length).toBeGreaterThanOrEqual(3);
  }, 40_000);

  it('an operator moving the dome pauses the patrol; it resumes after manual_idle and returns to its stop', async () => {
    await eventually(() => seen.at(-1)?.phase === 'sampling', 15_000, 'a sampling stop');
    const from = seen.length;
    cam.operatorMove({ pan: 0.1, tilt: -0.3, zoom: 0.8 });
    await eventually(() => seen.at(-1)?.phase === 'manual', 5_000, 'patrol paused');
    const pausedAt = seen.at(-1)!;
    await eventually(() => seen.slice(from).some((p) => p.phase === 'going' && p.since > pausedAt.since), 20_000, 'patrol resumed');
    const resumed = seen.slice(from).find((p) => p.phase === 'going' && p.since > pausedAt.since)!;
    // Not before the head had been still for manual_idle (it travels ~1 s to the operator's spot first).
    expect(resumed.since - pausedAt.since).toBeGreaterThanOrEqual(3000);
    expect(resumed.preset).toBe(pausedAt.preset);
    await eventually(() => seen.at(-1)?.phase === 'sampling', 15_000, 'sampling again');
    expect(cam.device.position()).toEqual(PRESETS.find((p) => p.token === seen.at(-1)!.preset)!.position);
  }, 45_000);
});
