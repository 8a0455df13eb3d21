import { beforeAll, describe, expect, it } from 'vitest';
import type { ViewMatch } from '../../align/align.js';
import { ViewAligner, type ReferencePicture } from '../../align/aligner.js';
import { applyHomography } from '../../align/homography.js';
import { media } from '../support/paths.js';
import { shifted, truthMap, viewOf, type ViewWindow } from '../support/views.js';

/**
 * Alignment on views composed from real street pictures: each current view is a known window of the same
 * picture as the reference, so the map alignment finds is checked against where points really went.
 */
const OPTS = { maxShift: 0.15 };

const SCENES: { file: string; win: ViewWindow }[] = [
  { file: 'street/road_parked_cars_lane00000.jpg', win: { left: 200, top: 60, width: 1100, height: 480 } },
  { file: 'street/drone_street_visdrone.jpg', win: { left: 150, top: 100, width: 1000, height: 560 } },
  { file: 'street/street_timessquare.png', win: { left: 150, top: 80, width: 1100, height: 560 } },
  { file: 'street/street_crossing_bicycle.jpg', win: { left: 150, top: 300, width: 1000, height: 560 } },
];

let aligner: ViewAligner;
beforeAll(async () => {
  aligner = await ViewAligner.create();
});

async function reference(file: string, win: ViewWindow, id = file, preset?: string): Promise<ReferencePicture> {
  return { id, ...(preset ? { preset } : {}), jpegBase64: (await viewOf(media(file), win)).toString('base64') };
}

function expectAligned(m: ViewMatch): asserts m is Extract<ViewMatch, { state: 'aligned' }> {
  expect(m.state, JSON.stringify(m)).toBe('aligned');
}

describe.each(SCENES)('$file', ({ file, win }) => {
  let ref: ReferencePicture;
  beforeAll(async () => {
    ref = await reference(file, win);
  });

  it('a fresh picture of the same view aligns with no shift', async () => {
    const m = await aligner.check(await viewOf(media(file), win), [ref], OPTS);
    expectAligned(m);
    expect(m.shift).toBeLessThan(0.01);
  });

  it('a small pan, tilt and zoom aligns, and points map where they really went', async () => {
    const cur = shifted(win, 0.04, -0.03, 1.05);
    const m = await aligner.check(await viewOf(media(file), cur), [ref], OPTS);
    expectAligned(m);
    const truth = truthMap(win, cur);
    for (const p of [[0.3, 0.4], [0.7, 0.6], [0.5, 0.8]] as const) {
      const [x, y] = applyHomography(m.homography, p);
      const [tx, ty] = truth(p);
      // Within 1% of the picture: a zone edge lands within a few pixels.
      expect(Math.hypot(x - tx, y - ty)).toBeLessThan(0.01);
    }
  });

  it('a camera rolled by 3° aligns', async () => {
    expectAligned(await aligner.check(await viewOf(media(file), win, { roll: 3 }), [ref], OPTS));
  });

  it('a pan by a quarter of the picture with a zoom is another view', async () => {
    const m = await aligner.check(await viewOf(media(file), shifted(win, 0.25, 0, 1.5)), [ref], OPTS);
    expect(m.state).toBe('view_changed');
  });

  it('a quarter of the lens covered is obstructed, not a moved view', async () => {
    const cover = [{ left: 0.35, top: 0.3, width: 0.5, height: 0.55, grey: 40 }];
    const m = await aligner.check(await viewOf(media(file), win, { cover }), [ref], OPTS);
    expect(m).toMatchObject({ state: 'obstructed', reason: 'covered' });
  });

  it('a defocused lens is obstructed', async () => {
    const m = await aligner.check(await viewOf(media(file), win, { blur: 6 }), [ref], OPTS);
    expect(m).toMatchObject({ state: 'obstructed', reason: 'defocused' });
  });

  it('a picture too dark to see is obstructed', async () => {
    const m = await aligner.check(await viewOf(media(file), win, { gain: 0.06 }), [ref], OPTS);
    expect(m).toMatchObject({ state: 'obstructed', reason: 'too_dark' });
  });
});

describe('views that match no reference', () => {
  it('another street matches none of the others', async () => {
    const refs = await Promise.all(SCENES.map((s) => reference(s.file, s.win)));
    for (const [i, s] of SCENES.entries()) {
      const m = await aligner.check(Buffer.from(refs[i]!.jpegBase64, 'base64'), refs.filter((_, j) => j !== i), OPTS);
      expect(m.state, s.file).toBe('view_changed');
    }
  });
});

describe('PTZ presets', () => {
  // One large picture, two presets far apart on it: the dome at one of them is told which.
  const file = 'street/parked_car_red.jpg';
  const presetA: ViewWindow = { left: 200, top: 300, width: 1800, height: 1012 };
  const presetB: ViewWindow = { left: 2300, top: 1500, width: 1800, height: 1012 };

  it('a sample is aligned to the preset the dome is at, and a view between them matches neither', async () => {
    const refs = [await reference(file, presetA, 'a', 'home'), await reference(file, presetB, 'b', 'gate')];
    const atB = await aligner.check(await viewOf(media(file), shifted(presetB, -0.02, 0.02)), refs, OPTS);
    expectAligned(atB);
    expect(atB).toMatchObject({ referenceId: 'b', preset: 'gate' });
    const atA = await aligner.check(await viewOf(media(file), shifted(presetA, 0.02, 0.01)), refs, OPTS);
    expect(atA).toMatchObject({ state: 'aligned', preset: 'home' });
    const between: ViewWindow = { left: 1250, top: 900, width: 1800, height: 1012 };
    expect((await aligner.check(await viewOf(media(file), between), refs, OPTS)).state).toBe('view_changed');
  });
});
