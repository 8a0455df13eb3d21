import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cjkFontProblem, renderEvidence, type RenderInput } from '../../alerts/evidence.js';
import type { BBox, IncidentKind } from '../../core/types.js';
import { media } from '../support/paths.js';

const T0 = Date.parse('2026-11-26T00:01:02Z');
const CAMERA = { id: 'jinjiang-north', name: '锦江路北门 Jinjiang Rd north gate', location: { lat: 40.129, lon: 124.394, address: '锦江路1号 Jinjiang Rd 1' }, timezone: 'Asia/Shanghai' };

function input(picture: string, size: { width: number; height: number }, box: BBox, opts: Partial<RenderInput> & { kind?: IncidentKind; people?: BBox[] } = {}): RenderInput {
  const jpegBase64 = readFileSync(media(picture)).toString('base64');
  return {
    event: {
      type: 'confirmed',
      incidentId: 'x',
      cameraId: CAMERA.id,
      zoneId: 'gate',
      kind: opts.kind ?? 'no_parking',
      firstSeen: T0,
      confirmedAt: T0 + 750_000,
      lastSeen: T0 + 750_000,
      ts: T0 + 750_000,
      subject: { box, label: opts.kind === 'bin_overflow' ? 'bin' : 'car', score: 0.91 },
      frameSize: size,
    },
    frames: [
      { ts: T0, jpegBase64, role: 'first_seen', people: opts.people },
      { ts: T0 + 750_000, jpegBase64, role: 'confirmed', people: opts.people },
    ],
    camera: CAMERA,
    polygon: [[0.55, 0.45], [0.95, 0.45], [0.95, 0.95], [0.55, 0.95]],
    blurPeople: true,
    quality: 85,
    maxBytes: 2_000_000,
    maxImages: 4,
    ...opts,
  };
}

/** Keeps the renders for a human to look at when WEISU_EVIDENCE_OUT is set. */
function keep(name: string, jpeg: Buffer): void {
  const dir = process.env.WEISU_EVIDENCE_OUT;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/${name}.jpg`, jpeg);
}

/** Mean absolute difference between horizontal neighbours in a region: sharp detail is high, blur is low. */
async function detail(jpeg: Buffer, r: { left: number; top: number; width: number; height: number }): Promise<number> {
  const grey = await sharp(jpeg).extract(r).greyscale().raw().toBuffer();
  let sum = 0;
  for (let y = 0; y < r.height; y++) for (let x = 1; x < r.width; x++) sum += Math.abs(grey[y * r.width + x]! - grey[y * r.width + x - 1]!);
  return sum / (r.height * (r.width - 1));
}

describe('evidence rendering on real pictures', () => {
  it('keeps the full-resolution frame untouched outside the drawing and adds a caption strip below it, plus the first-seen/now pair', async () => {
    const out = await renderEvidence(input('street/road_parked_cars_lane00000.jpg', { width: 1640, height: 590 }, [1050, 280, 1400, 470]));
    expect(out.map((o) => o.role)).toEqual(['main', 'first_seen']);
    for (const o of out) {
      keep(`lane_${o.role}`, o.jpeg);
      expect(o.width).toBe(1640);
      expect(o.height).toBeGreaterThan(590);
      expect((await sharp(o.jpeg).metadata()).format).toBe('jpeg');
    }
    // Sky at top-left: nothing is drawn there, so it must match the original (bar JPEG noise).
    const region = { left: 20, top: 20, width: 200, height: 100 };
    const original = await sharp(media('street/road_parked_cars_lane00000.jpg')).extract(region).raw().toBuffer();
    const rendered = await sharp(out[0]!.jpeg).extract(region).raw().toBuffer();
    let diff = 0;
    for (let i = 0; i < original.length; i++) diff += Math.abs(original[i]! - rendered[i]!);
    expect(diff / original.length).toBeLessThan(4);
    // The subject box is drawn in red along its top edge.
    const { data } = await sharp(out[0]!.jpeg).extract({ left: 1200, top: 278, width: 20, height: 4 }).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]!).toBeGreaterThan(200);
    expect(data[1]!).toBeLessThan(90);
  });

  it('blurs bystanders by default and leaves them when configured not to', async () => {
    // ultralytics' bus.jpg: the bus is the subject; the three pedestrians are bystanders.
    const people: BBox[] = [[48, 398, 245, 902], [221, 405, 344, 857], [669, 392, 809, 877]];
    const base = input('street/street_bus.jpg', { width: 810, height: 1080 }, [17, 230, 801, 768], { people });
    const [blurred] = await renderEvidence(base);
    const [plain] = await renderEvidence({ ...base, blurPeople: false });
    keep('bus_blurred', blurred!.jpeg);
    const face = { left: 80, top: 420, width: 120, height: 140 };
    const sharpDetail = await detail(plain!.jpeg, face);
    const blurredDetail = await detail(blurred!.jpeg, face);
    expect(blurredDetail).toBeLessThan(sharpDetail / 3);
  });

  it('stays within the per-incident size and count limits', async () => {
    const out = await renderEvidence({ ...input('street/parked_car_red.jpg', { width: 4317, height: 2775 }, [300, 400, 4000, 2600]), maxBytes: 150_000, maxImages: 2 });
    expect(out).toHaveLength(2);
    for (const o of out) expect(o.jpeg.length).toBeLessThanOrEqual(150_000);
    keep('red_car_limited', out[0]!.jpeg);
  });

  it('shows one annotated picture for an overflowing bin', async () => {
    const labels = JSON.parse(readFileSync(media('bins/labels.json'), 'utf8')) as { items: { image: string; bin_box: BBox }[] };
    const box = labels.items.find((i) => i.image === 'full_ds_0.png')!.bin_box;
    const out = await renderEvidence(input('bins/full_ds_0.png', { width: 640, height: 480 }, box, { kind: 'bin_overflow' }));
    expect(out.map((o) => o.role)).toEqual(['main']);
    expect(out[0]!.width).toBe(640);
    keep('bin_main', out[0]!.jpeg);
  });

  it('finds the Chinese font the captions need (scripts/setup.sh installs fonts-noto-cjk)', async () => {
    expect(await cjkFontProblem()).toBeUndefined();
  });
});
