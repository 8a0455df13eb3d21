import { describe, expect, it } from 'vitest';
import type { BBox, RuleEvent } from '../../core/types.js';
import { stepCamera, type CameraRuleState } from '../../rules/camera_rules.js';
import { zoneSchema } from '../../rules/schema.js';
import { car, frame, run, seconds, shift, T0, zone } from './fixtures.js';

const SPOT: BBox = [400, 450, 600, 600];
const kerb = zone({ dwell: '20s' });
const bin = zoneSchema.parse({ id: 'bin-1', kind: 'bin_site', polygon: [[0.7, 0.1], [0.9, 0.1], [0.9, 0.4], [0.7, 0.4]], persist: 3 });
const cam = { id: 'cam-1', timezone: 'Asia/Shanghai', zones: [kerb, bin] };

describe('stepCamera', () => {
  const samples = seconds(90, (i) => (i < 45 ? [car(shift(SPOT, i % 3))] : []));

  it('gives the same events whether the state stays in memory or goes through JSON between samples', () => {
    let mem: CameraRuleState | undefined;
    const live: RuleEvent[] = [];
    for (const s of samples) {
      const out = stepCamera(mem, { detections: s }, cam);
      mem = out.state;
      live.push(...out.events);
    }
    expect(run([kerb, bin], samples).events).toEqual(live);
    expect(live.map((e) => e.type)).toEqual(['confirmed', 'cleared']);
  });

  it('ignores a re-delivered or older sample: no second event, state unchanged', () => {
    let state: CameraRuleState | undefined;
    const events: RuleEvent[] = [];
    for (const s of samples.slice(0, 25)) {
      const out = stepCamera(state, { detections: s }, cam);
      state = out.state;
      events.push(...out.events);
    }
    expect(events).toHaveLength(1);
    const again = stepCamera(state, { detections: samples[20]! }, cam);
    expect(again.events).toEqual([]);
    expect(again.state).toBe(state);
  });

  it('reports stays that begin at a sample so their first frame can be kept as evidence', () => {
    const first = stepCamera(undefined, { detections: frame(T0, [car(SPOT)]) }, cam);
    expect(first.started).toEqual([`cam-1:kerb:${T0}`]);
    expect(stepCamera(first.state, { detections: frame(T0 + 1000, [car(SPOT)]) }, cam).started).toEqual([]);
  });

  it('continues a state stored by an earlier version (stays without the fields added since)', () => {
    let state = stepCamera(undefined, { detections: frame(T0, [car(SPOT)]) }, cam).state;
    const kerbState = state.zones.kerb as unknown as { stays: Record<string, unknown>[] };
    for (const s of kerbState.stays) {
      delete s.origin;
      delete s.overlappers;
    }
    const events: RuleEvent[] = [];
    for (let i = 1; i < 25; i++) {
      const out = stepCamera(state, { detections: frame(T0 + i * 1000, [car(SPOT)]) }, cam);
      state = out.state;
      events.push(...out.events);
    }
    expect(events).toEqual([expect.objectContaining({ type: 'confirmed', firstSeen: T0 })]);
  });

  it('sets track ids on event subjects', () => {
    const { events } = run([kerb], samples);
    expect(events[0]!.subject.trackId).toBeTypeOf('number');
  });

  it('drops the state of a zone removed from the config and starts afresh when a zone changes kind', () => {
    const out = stepCamera(undefined, { detections: frame(T0, [car(SPOT)]) }, cam);
    expect(Object.keys(out.state.zones).sort()).toEqual(['bin-1', 'kerb']);
    const without = stepCamera(out.state, { detections: frame(T0 + 1000, []) }, { ...cam, zones: [kerb] });
    expect(Object.keys(without.state.zones)).toEqual(['kerb']);
    const changed = { ...bin, id: 'kerb' };
    const swapped = stepCamera(out.state, { detections: frame(T0 + 1000, []) }, { ...cam, zones: [changed] });
    expect(swapped.state.zones.kerb).toEqual({ kind: 'bin_site' });
  });

  it('feeds bin observations to their site', () => {
    let state: CameraRuleState | undefined;
    const events: RuleEvent[] = [];
    for (let i = 0; i < 5; i++) {
      const ts = T0 + i * 60_000;
      const out = stepCamera(state, { detections: frame(ts, []), bins: { 'bin-1': { ts, state: 'overflowing', score: 0.9, decidedBy: 'generic' } } }, cam);
      state = out.state;
      events.push(...out.events);
    }
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'confirmed', kind: 'bin_overflow', zoneId: 'bin-1', firstSeen: T0, confirmedAt: T0 + 120_000 });
    expect(events[0]!.subject.box).toEqual([0.7 * 1280, 0.1 * 720, 0.9 * 1280, 0.4 * 720]);
  });
});
