import { beforeAll, describe, expect, it } from 'vitest';
import { fullJpeg } from '../../core/frames.js';
import { ViewAligner, type ReferencePicture } from '../../align/aligner.js';
import type { BBox, Frame, RuleEvent } from '../../core/types.js';
import type { CameraRuleState } from '../../rules/camera_rules.js';
import { decide, perceive, type FrameCamera, type FrameEyes } from '../../pipeline/frame_step.js';
import { car, T0, zone } from '../rules/fixtures.js';
import { media } from '../support/paths.js';
import { shifted, viewOf, VIEW_SIZE, type LensTrouble, type ViewWindow } from '../support/views.js';

/**
 * The per-frame step with a reference view, on views composed from a real street picture: a parked car
 * at a fixed place on the street is "detected" where it truly is in each composed view (the detector
 * is not under test here), the camera shifts, is covered and comes back. The rules must see one stay,
 * pause while the lens is covered, and file what they would have filed had that sample never been taken.
 */
const FILE = 'street/road_parked_cars_lane00000.jpg';
const REF: ViewWindow = { left: 200, top: 60, width: 1100, height: 480 };
/** The car, in pixels of the source picture. */
const CAR = { left: 200 + 0.42 * 1100, top: 60 + 0.55 * 480, right: 200 + 0.58 * 1100, bottom: 60 + 0.8 * 480 };
const COVER: LensTrouble = { cover: [{ left: 0.2, top: 0.2, width: 0.7, height: 0.7, grey: 30 }] };

function carIn(win: ViewWindow): BBox {
  const x = (sx: number) => ((sx - win.left) / win.width) * VIEW_SIZE.width;
  const y = (sy: number) => ((sy - win.top) / win.height) * VIEW_SIZE.height;
  return [x(CAR.left), y(CAR.top), x(CAR.right), y(CAR.bottom)];
}

let aligner: ViewAligner;
let reference: ReferencePicture;
/** The window each composed picture shows, by its bytes: the truth the stand-in detector reads. */
const windows = new WeakMap<Buffer, ViewWindow>();
const eyes: FrameEyes = {
  detect: async (frame) => ({ cameraId: frame.cameraId, ts: frame.ts, ...VIEW_SIZE, items: [car(carIn(windows.get(await fullJpeg(frame))!))] }),
  checkView: async (frame, refs) => aligner.check(await fullJpeg(frame), refs, { maxShift: 0.15 }),
};

beforeAll(async () => {
  aligner = await ViewAligner.create();
  reference = { id: 'ref-1', jpegBase64: (await viewOf(media(FILE), REF)).toString('base64') };
});

async function frameAt(ts: number, win: ViewWindow, trouble: LensTrouble = {}): Promise<Frame> {
  const jpeg = await viewOf(media(FILE), win, trouble);
  windows.set(jpeg, win);
  return { cameraId: 'cam-1', ts, ...VIEW_SIZE, jpeg };
}

const camera = (references: ReferencePicture[]): FrameCamera => ({
  id: 'cam-1',
  timezone: 'Asia/Shanghai',
  zones: [zone({ polygon: [[0.3, 0.45], [0.7, 0.45], [0.7, 0.95], [0.3, 0.95]], dwell: '30s' })],
  references,
});

async function run(frames: Frame[], cam: FrameCamera): Promise<{ events: RuleEvent[]; paused: number[] }> {
  let state: CameraRuleState | undefined;
  const events: RuleEvent[] = [];
  const paused: number[] = [];
  for (const f of frames) {
    const input = await perceive(eyes, f, cam);
    const step = decide(state, input, cam);
    if (input.view && input.view.state !== 'aligned') {
      paused.push(f.ts);
      // Paused: the state is carried exactly, nothing is emitted.
      expect(step.events).toEqual([]);
      if (state) expect(step.state).toEqual(state);
    }
    state = JSON.parse(JSON.stringify(step.state)) as CameraRuleState;
    events.push(...step.events);
  }
  return { events, paused };
}

const summary = (events: RuleEvent[]) => events.map((e) => ({ type: e.type, incidentId: e.incidentId, firstSeen: e.firstSeen, confirmedAt: e.confirmedAt }));

describe('the frame step with a reference view', () => {
  it('an aligned sample gives the rules boxes in the reference view, and evidence boxes as seen', async () => {
    const win = shifted(REF, 0.05, -0.03);
    const input = await perceive(eyes, await frameAt(T0, win), camera([reference]));
    expect(input.view?.state).toBe('aligned');
    expect(input.seen.items[0]!.box).toEqual(carIn(win));
    const inRef = input.detections.items[0]!.box;
    carIn(REF).forEach((v, i) => expect(Math.abs(inRef[i]! - v)).toBeLessThan(0.01 * VIEW_SIZE.width));
  });

  it('a stay keeps its identity across shifts, pauses while the lens is covered, and files what it would have without that sample', async () => {
    const s = 10_000;
    const withTrouble = [
      await frameAt(T0, REF),
      await frameAt(T0 + s, shifted(REF, 0.04, 0.02)),
      await frameAt(T0 + 2 * s, REF, COVER),
      await frameAt(T0 + 3 * s, shifted(REF, -0.03, 0.01)),
      await frameAt(T0 + 4 * s, REF),
      await frameAt(T0 + 5 * s, shifted(REF, 0.02, -0.02)),
    ];
    const got = await run(withTrouble, camera([reference]));
    expect(got.paused).toEqual([T0 + 2 * s]);
    // The same street with a steady camera, the covered sample never taken.
    const steady = await Promise.all([0, 1, 3, 4, 5].map((k) => frameAt(T0 + k * s, REF)));
    const baseline = await run(steady, camera([]));
    expect(summary(baseline.events).length).toBeGreaterThan(0);
    expect(summary(got.events)).toEqual(summary(baseline.events));
  });

  it('a camera turned away pauses the rules: no stay begins on another street', async () => {
    const away = shifted(REF, 0.25, 0, 1.5);
    const frames = await Promise.all([0, 1, 2, 3, 4].map((k) => frameAt(T0 + k * 10_000, away)));
    const got = await run(frames, camera([reference]));
    expect(got.paused).toHaveLength(5);
    expect(got.events).toEqual([]);
  });
});
