import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ViewAligner, type ReferencePicture } from '../../align/aligner.js';
import type { Point } from '../../core/geometry.js';
import { fullJpeg } from '../../core/frames.js';
import type { Frame, RawImage } from '../../core/types.js';
import { createClassifier, type Classifier } from '../../detector/classifier.js';
import { cropSites } from '../../detector/bin_observer.js';
import { observeBinSites } from '../../pipeline/bin_sites.js';
import { perceive, type FrameCamera, type FrameEyes } from '../../pipeline/frame_step.js';
import { binSiteZoneSchema, type BinSiteZone } from '../../rules/schema.js';
import { media, MODELS_DIR } from '../support/paths.js';
import { shifted, truthMap, viewOf, VIEW_SIZE, type ViewWindow } from '../support/views.js';

/**
 * A camera whose view drifted (a real street picture, the window moved by 8 % across and 5 % down: small
 * enough to stay aligned, far enough that the site as drawn would miss most of what it watches). The bin
 * site is cropped, and the inference regions are made, where the site lies in the drifted picture: the
 * crop shows what the site showed in the reference view, and the real classifier reads it the same way.
 */
const FILE = 'street/road_parked_cars_lane00000.jpg';
const REF: ViewWindow = { left: 200, top: 60, width: 1100, height: 480 };
const DRIFTED = shifted(REF, 0.08, 0.05);
const SITE: BinSiteZone = binSiteZoneSchema.parse({ id: 'bins', kind: 'bin_site', polygon: [[0.45, 0.6], [0.55, 0.6], [0.55, 0.75], [0.45, 0.75]] });

let aligner: ViewAligner;
let classifier: Classifier;
let reference: ReferencePicture;
let refFrame: Frame;
beforeAll(async () => {
  aligner = await ViewAligner.create();
  classifier = await createClassifier({ modelsDir: MODELS_DIR, model: SITE.model, threads: 1 });
  const jpeg = await viewOf(media(FILE), REF);
  reference = { id: 'ref-1', jpegBase64: jpeg.toString('base64') };
  refFrame = { cameraId: 'cam', ts: 0, ...VIEW_SIZE, jpeg };
});
afterAll(() => classifier?.close());

/** Mean absolute difference of two crops brought to the same small size (0 = same picture). */
async function difference(a: RawImage, b: RawImage): Promise<number> {
  const small = (img: RawImage) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(32, 32, { fit: 'fill' }).raw().toBuffer();
  const [x, y] = await Promise.all([small(a), small(b)]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]! - y[i]!);
  return sum / x.length;
}

describe('a drifted view: bin sites and inference regions follow it', () => {
  it('crops the bin site where it lies in the current picture and reads the same state as in the reference view', async () => {
    const given: { detect?: Point[][]; bins?: BinSiteZone[] } = {};
    const eyes: FrameEyes = {
      detect: async (frame, cam) => {
        given.detect = cam.zones.map((z) => z.polygon);
        return { cameraId: frame.cameraId, ts: frame.ts, ...VIEW_SIZE, items: [] };
      },
      observeBins: async (frame, zones, calibration) => {
        given.bins = zones;
        return observeBinSites(frame, zones, classifier, calibration);
      },
      checkView: async (frame, refs) => aligner.check(await fullJpeg(frame), refs, { maxShift: 0.15 }),
    };
    const camera: FrameCamera = { id: 'cam', timezone: 'UTC', zones: [SITE], references: [reference] };
    const frame: Frame = { cameraId: 'cam', ts: 1000, ...VIEW_SIZE, jpeg: await viewOf(media(FILE), DRIFTED) };
    const input = await perceive(eyes, frame, camera);
    expect(input.view?.state).toBe('aligned');

    // Where the site truly is in the drifted picture; the detector's regions and the crop both use it.
    const truth = SITE.polygon.map(truthMap(REF, DRIFTED));
    for (const polygon of [given.detect![0]!, given.bins![0]!.polygon]) {
      polygon.forEach(([x, y], i) => {
        expect(Math.abs(x - truth[i]![0])).toBeLessThan(0.01);
        expect(Math.abs(y - truth[i]![1])).toBeLessThan(0.01);
      });
    }
    const obs = input.bins!.bins!;
    const [tx1, ty1] = truth[0]!;
    expect(Math.abs(obs.box![0] - tx1 * VIEW_SIZE.width)).toBeLessThan(10);
    expect(Math.abs(obs.box![1] - ty1 * VIEW_SIZE.height)).toBeLessThan(10);

    // The crop shows what the site showed when it was drawn; the site as drawn would show something else.
    const [atReference] = await cropSites(refFrame, [SITE]);
    const [followed] = await cropSites(frame, given.bins!);
    const [asDrawn] = await cropSites(frame, [SITE]);
    const followedOff = await difference(followed!, atReference!);
    const asDrawnOff = await difference(asDrawn!, atReference!);
    expect(followedOff).toBeLessThan(asDrawnOff / 2);
    // And the real classifier reads the site as it read it in the reference view.
    const before = (await observeBinSites(refFrame, [SITE], classifier)).bins!;
    expect(obs.state).toBe(before.state);
  });
});
