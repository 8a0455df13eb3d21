import type { BBox, Detections } from '../../core/types.js';
import { boxIou, coverage, pointInPolygon, type Point } from '../../core/geometry.js';
import type { Detector } from '../../detector/detector.js';
import { frameFromImage } from '../../detector/image.js';
import { perceive, type FrameEyes } from '../../pipeline/frame_step.js';
import { actorBoxes, renderFrame, scenarioCanvas, SPRITES, type Actor, type Scenario } from '../../sample/compose.js';

/**
 * What the camera's worker would have seen of a scenario: its pictures rendered only at the sample times
 * (media time phase, phase + every, ...), JPEG-encoded as a camera sends them, each through the real
 * detector and appearance by the live per-frame step (`perceive`). The detections are kept (small) so the rules can be
 * run on them many times — once per tuning of a sweep — without rendering or inferring again.
 * Also counts how many of the vehicles standing in the zone, in view, the detector found (zone recall).
 */
export interface Observation {
  detections: Detections[];
  /** Vehicles in the zone and in view at sample times, and how many of them had a detection on them. */
  zoneVehicles: number;
  zoneFound: number;
}

/** A vehicle is in view when less than this much of its box is covered by what is drawn in front of it. */
const IN_VIEW = 0.3;
/** Smallest vehicle the detector is asked to find, px tall (as the street labels). */
const MIN_HEIGHT = 20;
/** A detection on a vehicle: IoU with where it was drawn (jitter moves it by a few pixels). */
const FOUND_IOU = 0.5;

const VEHICLES = new Set<unknown>(['redCar', 'whiteCar', 'greyCar', 'silverCar', 'bus'] satisfies (keyof typeof SPRITES)[]);

export function sampleTimes(durationS: number, everyS: number, phaseS: number): number[] {
  const out: number[] = [];
  for (let t = phaseS; t < durationS; t += everyS) out.push(+t.toFixed(3));
  return out;
}

/** Boxes of the vehicles standing (bottom-centre) in the zone at time t, in view and tall enough. */
function zoneVehicles(s: Scenario, boxes: (BBox | undefined)[], zone: Point[], size: { width: number; height: number }): BBox[] {
  const out: BBox[] = [];
  boxes.forEach((b, i) => {
    if (!b || !VEHICLES.has(s.actors[i]!.sprite)) return;
    const clipped: BBox = [Math.max(0, b[0]), Math.max(0, b[1]), Math.min(size.width, b[2]), Math.min(size.height, b[3])];
    if (clipped[3] - clipped[1] < MIN_HEIGHT || clipped[2] <= clipped[0]) return;
    if (!pointInPolygon([(b[0] + b[2]) / 2 / size.width, Math.min(b[3], size.height - 1) / size.height], zone)) return;
    const hidden = boxes.slice(i + 1).some((front) => front && coverage(clipped, front) >= IN_VIEW);
    if (!hidden) out.push(clipped);
  });
  return out;
}

export async function observe(s: Scenario, zone: Point[], times: number[], detector: Detector, startAt: number): Promise<Observation> {
  const canvas = await scenarioCanvas(s);
  const size = { width: canvas.width, height: canvas.height };
  const aspect = (a: Actor) => {
    const src = canvas.sprites[s.actors.indexOf(a)]!;
    return src.height / src.width;
  };
  const longSide = Math.max(detector.manifest.input.width, detector.manifest.input.height);
  const eyes: FrameEyes = { detect: async (frame) => (await detector.run([frame]))[0]! };
  const camera = { id: 'scenario', timezone: 'Asia/Shanghai', zones: [] };
  const detections: Detections[] = [];
  let zoneVehicleCount = 0;
  let zoneFound = 0;
  for (const t of times) {
    const jpeg = await renderFrame(s, canvas, t);
    const frame = await frameFromImage(jpeg, 'scenario', startAt + Math.round(t * 1000), { pixelsLongSide: longSide });
    const seen = (await perceive(eyes, frame, camera)).detections;
    detections.push(seen);
    const vehicles = seen.items.filter((d) => d.category === 'vehicle');
    for (const v of zoneVehicles(s, actorBoxes(s, t, size, aspect), zone, size)) {
      zoneVehicleCount++;
      if (vehicles.some((d) => boxIou(d.box, v) >= FOUND_IOU)) zoneFound++;
    }
  }
  return { detections, zoneVehicles: zoneVehicleCount, zoneFound };
}
