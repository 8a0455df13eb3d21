import { describe, expect, it } from 'vitest';
import type { BBox, Detection } from '../../../core/types.js';
import { car, H, run, seconds, shift, T0, W, zone } from '../fixtures.js';

/**
 * Things that never move are not parked vehicles: what stands in a zone at the first sample it is watched
 * (its reference scene) is the street, and an operator's "not a vehicle" mask hides its place from the rule.
 */

type Look = [number, number, number];
const RED: Look = [0.607, 0.246, 0.347];
const GREY: Look = [0.34, 0.35, 0.42];
const BOX_LOOK: Look = [0.42, 0.41, 0.36];
const SPOT: BBox = [400, 450, 600, 600];
/** A roadside loudspeaker box the detector calls "bus 67%" now and then (missed in one sample of three). */
const SPEAKER: BBox = [800, 400, 900, 560];
const speaker = (i: number): Detection[] => (i % 3 === 1 ? [] : [{ ...car(SPEAKER, 0.67, 'bus'), appearance: BOX_LOOK }]);
const seen = (box: BBox, look: Look): Detection => ({ ...car(box), appearance: look });
const confirmed = (z: ReturnType<typeof zone>, samples: Parameters<typeof run>[1]) => run([z], samples).events.filter((e) => e.type === 'confirmed');

describe('background: the reference scene', () => {
  const kerb = zone({ dwell: '30s', reference_scene: true });

  it('never files the loudspeaker box that stood there before any vehicle came, while it files the car that parks beside it', () => {
    const samples = seconds(300, (i) => [...speaker(i), ...(i >= 100 && i < 200 ? [seen(SPOT, RED)] : [])]);
    const events = confirmed(kerb, samples);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ firstSeen: T0 + 100_000, subject: { label: 'car' } });
  });

  it('files a car of another colour parked right in front of the box', () => {
    const front = shift(SPEAKER, -10, 15);
    const samples = seconds(120, (i) => [...speaker(i), ...(i >= 20 ? [seen(front, RED)] : [])]);
    expect(confirmed(kerb, samples)).toEqual([expect.objectContaining({ firstSeen: T0 + 20_000 })]);
  });

  it('takes a vehicle already parked at the first sample for the street until it leaves; the next car in that place is filed', () => {
    const samples = seconds(200, (i) => (i < 60 ? [seen(SPOT, GREY)] : i >= 100 ? [seen(shift(SPOT, 5), RED)] : []));
    expect(confirmed(kerb, samples)).toEqual([expect.objectContaining({ firstSeen: T0 + 100_000 })]);
  });

  it('forgets a reference object unseen for max_hidden: a look-alike parking there later is a vehicle', () => {
    const z = zone({ dwell: '30s', reference_scene: true, max_hidden: '1m' });
    const samples = seconds(260, (i) => (i < 30 ? [seen(SPOT, GREY)] : i >= 150 ? [seen(SPOT, GREY)] : []));
    expect(confirmed(z, samples)).toEqual([expect.objectContaining({ firstSeen: T0 + 150_000 })]);
  });

  it('without a reference scene, the box is a stay like any other (reference_scene: false)', () => {
    expect(confirmed(zone({ dwell: '30s', reference_scene: false }), seconds(100, speaker))).toHaveLength(1);
  });
});

describe('background: operators\' masks', () => {
  const mask = { box: [SPEAKER[0] / W, SPEAKER[1] / H, SPEAKER[2] / W, SPEAKER[3] / H], note: 'loudspeaker box', incident_id: 'cam-1:kerb:1' };

  it('ignores what the detector sees on a mask, whatever it looks like, and still files a car elsewhere', () => {
    const z = zone({ dwell: '30s', masks: [mask] });
    const samples = seconds(200, (i) => [...speaker(i), ...(i >= 50 && i < 150 ? [seen(SPOT, RED)] : [])]);
    expect(confirmed(z, samples)).toEqual([expect.objectContaining({ firstSeen: T0 + 50_000 })]);
    // Undone (the mask removed), the box is a stay again.
    expect(confirmed(zone({ dwell: '30s' }), seconds(100, speaker))).toHaveLength(1);
  });

  it('refuses a mask that is not a box in fractions of the frame, naming the field', () => {
    const bad = zone.bind(null);
    expect(() => bad({ masks: [{ box: [0.5, 0.5, 0.4, 0.6] }] })).toThrow(/x1 < x2/);
    expect(() => bad({ masks: [{ box: [0.1, 0.1, 1.4, 0.6] }] })).toThrow(/fraction/);
  });
});
