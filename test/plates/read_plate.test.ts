import { readdirSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BBox, Frame } from '../../core/types.js';
import { frameFromImage } from '../../detector/image.js';
import { createDetector } from '../../detector/detector.js';
import { createPlateReader, type PlateRead, type PlateReader } from '../../plates/read_plate.js';
import { platesSchema } from '../../plates/schema.js';
import { MEDIA_DIR, MODELS_DIR, media } from '../support/paths.js';

/** Vehicle boxes chosen by eye on the real photos (the detector is another module's job). */
const BAY: BBox = [200, 65, 1010, 795]; // parked_car_in_bay.jpg: white MPV, front plate 浙G·Z6825
const RED: BBox = [1133, 755, 4245, 2177]; // parked_car_red.jpg: red roadster from behind, DR 68651
const SUV: BBox = [932, 170, 1225, 365]; // street_parked_cars_005.png: dark SUV on the right, RA HN 2112

const frames = new Map<string, Frame>();
async function frame(rel: string): Promise<Frame> {
  if (!frames.has(rel)) frames.set(rel, await frameFromImage(readFileSync(media(rel)), 'cam-1'));
  return frames.get(rel)!;
}

function expectRead(r: PlateRead | { unread: true; reason: string }): PlateRead {
  if ('unread' in r) throw new Error(`expected a read, got unread: ${r.reason}`);
  return r;
}

function inside(inner: BBox, outer: BBox): boolean {
  return inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3];
}

let reader: PlateReader;
beforeAll(async () => {
  reader = await createPlateReader({ threads: 1 });
});
afterAll(async () => {
  await reader?.close();
});

describe('readVehicle on real photos', () => {
  it('reads the Chinese plate 浙G·Z6825 on the car in the bay', async () => {
    const r = expectRead(await reader.readVehicle(await frame('street/parked_car_in_bay.jpg'), BAY));
    expect(r.text).toBe('浙G·Z6825');
    expect(r.format).toBe('cn');
    expect(r.confidence).toBeGreaterThan(0.8);
    // The plate sits in the lower third of the car, centred (seen by eye at about x 450–705, y 615–700).
    expect(inside(r.box, [440, 600, 720, 710])).toBe(true);
  });

  it('reads the Danish plate DR 68651 on the red car from a 12-megapixel frame', async () => {
    const r = expectRead(await reader.readVehicle(await frame('street/parked_car_red.jpg'), RED));
    expect(r.text).toBe('DR 68651');
    expect(r.format).toBe('dk');
    expect(inside(r.box, RED)).toBe(true);
  });

  it('reads the small German plate RA HN 2112 (12 px text, seal between the groups) on the dark SUV', async () => {
    const r = expectRead(await reader.readVehicle(await frame('street/street_parked_cars_005.png'), SUV));
    expect(r.text).toBe('RA HN 2112');
    expect(r.format).toBe('de');
    expect(inside(r.box, [980, 245, 1070, 280])).toBe(true);
  });

  it('reads the same plates with the vehicle resized to a 640 px long side', async () => {
    const small = await createPlateReader({ threads: 1, config: platesSchema.parse({ long_side: 640 }) });
    try {
      expect(expectRead(await small.readVehicle(await frame('street/parked_car_in_bay.jpg'), BAY)).text).toBe('浙G·Z6825');
      expect(expectRead(await small.readVehicle(await frame('street/parked_car_red.jpg'), RED)).text).toBe('DR 68651');
      expect(expectRead(await small.readVehicle(await frame('street/street_parked_cars_005.png'), SUV)).text).toBe('RA HN 2112');
    } finally {
      await small.close();
    }
  });

  it('tolerates a loose vehicle box (detector jitter)', async () => {
    const r = expectRead(await reader.readVehicle(await frame('street/street_parked_cars_005.png'), [920, 160, 1235, 370]));
    expect(r.text).toBe('RA HN 2112');
  });
});

describe('unread, never a guessed plate', () => {
  const small: [string, BBox][] = [
    ['weather/highway_normal_1.png', [415, 218, 492, 276]], // grey sedan ahead on the highway
    ['weather/waymo_daytime_fair_weather_1.jpg', [117, 128, 217, 200]], // 300×200 dashcam frame
    ['weather/waymo_rainy_city_street.jpg', [712, 637, 835, 741]], // oncoming car in the rain
    ['weather/waymo_rainy_city_street.jpg', [632, 579, 808, 712]], // bus in the rain
    ['weather/waymo_rainy_city_street.jpg', [1592, 720, 1920, 1152]], // white SUV side-on: no plate in view
    ['street/street_parked_cars_005.png', [590, 183, 657, 243]], // red car far down the road
    ['street/street_parked_cars_005.png', [735, 180, 850, 245]], // old car on the right, plate a few px
    ['street/road_parked_cars_lane00000.jpg', [900, 293, 1049, 368]], // black sedan: a blue plate, 3 px text
    ['street/road_parked_cars_lane00000.jpg', [274, 312, 492, 395]], // white hatchback side-on
    ['street/road_parked_cars_lane00000.jpg', [1062, 278, 1640, 470]], // blurred car before a wall painted with a phone number
  ];
  it.each(small)('%s %j is unread with a reason', async (rel, box) => {
    const r = await reader.readVehicle(await frame(rel), box);
    expect(r).toMatchObject({ unread: true });
    expect((r as { reason: string }).reason.length).toBeGreaterThan(10);
  });

  it('says a plate is too small rather than guessing it', async () => {
    const r = await reader.readVehicle(await frame('weather/highway_normal_1.png'), [415, 218, 492, 276]);
    expect(r).toMatchObject({ unread: true, reason: expect.stringMatching(/77 px wide, so its plate text would be at most about 6 px tall, below plates.min_plate_height \(10 px\)/) });
  });

  it('respects a higher min_plate_height: the 12 px German plate becomes unread', async () => {
    const strict = await createPlateReader({ threads: 1, config: platesSchema.parse({ min_plate_height: 20 }) });
    try {
      const r = await strict.readVehicle(await frame('street/street_parked_cars_005.png'), SUV);
      expect(r).toMatchObject({ unread: true, reason: expect.stringMatching(/min_plate_height \(20 px\)/) });
      expect(expectRead(await strict.readVehicle(await frame('street/parked_car_in_bay.jpg'), BAY)).text).toBe('浙G·Z6825');
    } finally {
      await strict.close();
    }
  });

  it('reports a plate of a jurisdiction not enabled as unread, naming what it read', async () => {
    const cnOnly = await createPlateReader({ threads: 1, config: platesSchema.parse({ formats: ['cn', 'cn_nev'] }) });
    try {
      const r = await cnOnly.readVehicle(await frame('street/parked_car_red.jpg'), RED);
      expect(r).toMatchObject({ unread: true, reason: expect.stringMatching(/DR 68651.*fits no enabled plate format \(cn, cn_nev\)/) });
    } finally {
      await cnOnly.close();
    }
  });

  it('reports a read below the confidence floor as unread', async () => {
    const fussy = await createPlateReader({ threads: 1, config: platesSchema.parse({ confidence_floor: 1 }) });
    try {
      const r = await fussy.readVehicle(await frame('street/street_parked_cars_005.png'), SUV);
      expect(r).toMatchObject({ unread: true, reason: expect.stringMatching(/RA HN 2112 with confidence 0\.\d\d, below plates.confidence_floor \(1\)/) });
    } finally {
      await fussy.close();
    }
  });
});

describe('bad input: unread, no crash', () => {
  it('a vehicle box outside the frame', async () => {
    const f = await frame('street/parked_car_in_bay.jpg');
    expect(await reader.readVehicle(f, [5000, 5000, 5200, 5100])).toMatchObject({ unread: true, reason: expect.stringMatching(/outside the 1200×898 frame/) });
    expect(await reader.readVehicle(f, [-300, -300, -10, -10])).toMatchObject({ unread: true });
    expect(await reader.readVehicle(f, [Number.NaN, 0, 10, 10] as BBox)).toMatchObject({ unread: true });
  });

  it('a box partly outside the frame is clipped and still read', async () => {
    const r = expectRead(await reader.readVehicle(await frame('street/parked_car_in_bay.jpg'), [150, 0, 1400, 1000]));
    expect(r.text).toBe('浙G·Z6825');
  });

  it('a tiny crop', async () => {
    const f = await frame('street/parked_car_in_bay.jpg');
    expect(await reader.readVehicle(f, [500, 600, 512, 606])).toMatchObject({ unread: true, reason: expect.stringMatching(/too small/) });
    expect(await reader.readVehicle(f, [500, 600, 500, 600])).toMatchObject({ unread: true });
  });

  it('a frame with no text', async () => {
    // The evening sky and hedge above the red car.
    const r = await reader.readVehicle(await frame('street/parked_car_red.jpg'), [0, 0, 1400, 900]);
    expect(r).toMatchObject({ unread: true });
    const grey = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 90, g: 90, b: 90 } } }).jpeg().toBuffer();
    const blank = await frameFromImage(grey, 'cam-1');
    expect(await reader.readVehicle(blank, [100, 100, 500, 400])).toMatchObject({ unread: true, reason: 'no text found on the vehicle' });
  });

  it('a frame whose JPEG is corrupt', async () => {
    const f = await frame('street/parked_car_in_bay.jpg');
    const broken: Frame = { ...f, jpeg: f.jpeg.subarray(0, 200) };
    expect(await reader.readVehicle(broken, BAY)).toMatchObject({ unread: true, reason: expect.stringMatching(/could not be read/) });
    expect(await reader.readVehicle({ ...f, jpeg: Buffer.alloc(0) }, BAY)).toMatchObject({ unread: true, reason: 'the frame carries no image' });
  });
});

describe('readIncident votes across frames', () => {
  it('agreeing frames give one plate with its votes', async () => {
    const f = await frame('street/parked_car_in_bay.jpg');
    const r = await reader.readIncident([
      { frame: f, box: BAY },
      { frame: f, box: [190, 50, 1020, 810] },
      { frame: f, box: [230, 90, 990, 780] },
    ]);
    expect(r).toMatchObject({ votes: 3, read: { text: '浙G·Z6825', format: 'cn' } });
    expect((r as { read: PlateRead }).read.confidence).toBeGreaterThan(0.9);
  });

  it('frames where the plate is hidden or too small do not outvote the frames that read it', async () => {
    const bay = await frame('street/parked_car_in_bay.jpg');
    const r = await reader.readIncident([
      { frame: bay, box: [200, 65, 1010, 400] }, // only the windscreen and bonnet: the plate is hidden
      { frame: bay, box: BAY },
      { frame: bay, box: [5000, 5000, 5100, 5100] },
    ]);
    expect(r).toMatchObject({ votes: 1, read: { text: '浙G·Z6825' } });
  });

  it('frames that read different plates lower the combined confidence below the floor', async () => {
    const r = await reader.readIncident([
      { frame: await frame('street/parked_car_in_bay.jpg'), box: BAY },
      { frame: await frame('street/parked_car_red.jpg'), box: RED },
    ]);
    expect(r).toMatchObject({ unread: true, reason: expect.stringMatching(/combined confidence 0\.\d\d is below plates.confidence_floor/) });
  });

  it('an incident with no readable frame, or none at all, is unread with the reasons', async () => {
    const r = await reader.readIncident([
      { frame: await frame('weather/highway_normal_1.png'), box: [415, 218, 492, 276] },
      { frame: await frame('weather/highway_normal_1.png'), box: [416, 219, 493, 277] },
    ]);
    expect(r).toMatchObject({ unread: true, reason: expect.stringMatching(/^no frame showed a readable plate: 2× (too small to read|no text found): the vehicle is 77 px wide/) });
    expect(await reader.readIncident([])).toMatchObject({ unread: true, reason: 'the incident has no frames to read' });
  });
});

describe('on the vehicles the real detector finds', () => {
  // Every vehicle in the picture: the one with a legible plate is read exactly, every other one is unread.
  it.each([
    ['street/parked_car_in_bay.jpg', '浙G·Z6825'],
    ['street/parked_car_red.jpg', 'DR 68651'],
    ['street/street_parked_cars_005.png', 'RA HN 2112'],
  ])('%s: %s and nothing else', async (rel, plate) => {
    const detector = await createDetector({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416', threads: 1 });
    try {
      const f = await frame(rel);
      const [found] = await detector.run([f]);
      const vehicles = found!.items.filter((d) => d.category === 'vehicle');
      expect(vehicles.length).toBeGreaterThan(0);
      const reads: string[] = [];
      for (const v of vehicles) {
        const r = await reader.readVehicle(f, v.box);
        if (!('unread' in r)) reads.push(r.text);
      }
      expect(reads).toEqual([plate]);
    } finally {
      await detector.close();
    }
  });
});

describe('the weather set: dashcam frames whose plates are a few pixels tall', () => {
  it('every vehicle the detector finds is unread, never a guessed plate', async () => {
    const detector = await createDetector({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416', threads: 1 });
    const reads: string[] = [];
    let vehicles = 0;
    try {
      for (const name of readdirSync(`${MEDIA_DIR}/weather`).filter((n) => /\.(jpe?g|png)$/.test(n))) {
        const f = await frame(`weather/${name}`);
        const [found] = await detector.run([f]);
        for (const v of found!.items.filter((d) => d.category === 'vehicle')) {
          vehicles++;
          const r = await reader.readVehicle(f, v.box);
          if (!('unread' in r)) reads.push(`${name}: ${r.text}`);
        }
      }
    } finally {
      await detector.close();
    }
    expect(vehicles).toBeGreaterThan(30);
    expect(reads).toEqual([]);
  }, 180_000);
});

describe('two-row plates', () => {
  /**
   * A two-row plate (the layout of Chinese yellow lorry and bus plates) made from the real plate's own
   * pixels: "浙G" cut from it and set small above "Z6825", over the original plate. No photo with a
   * two-row plate is in the shared media yet.
   */
  async function twoRowFrame(): Promise<Frame> {
    const src = readFileSync(media('street/parked_car_in_bay.jpg'));
    const top = await sharp(src).extract({ left: 456, top: 622, width: 70, height: 62 }).resize({ height: 42 }).toBuffer();
    const bottom = await sharp(src).extract({ left: 532, top: 622, width: 170, height: 62 }).resize({ width: 236 }).toBuffer();
    const [w, h] = [262, 140];
    const plate = await sharp(src)
      .extract({ left: 527, top: 640, width: 6, height: 6 }) // plate blue, between two characters
      .resize(w, h, { fit: 'fill' })
      .composite([
        { input: top, left: Math.round((w - (await sharp(top).metadata()).width!) / 2), top: 4 },
        { input: bottom, left: 13, top: h - (await sharp(bottom).metadata()).height! - 4 },
      ])
      .png()
      .toBuffer();
    return frameFromImage(await sharp(src).composite([{ input: plate, left: 448, top: 585 }]).jpeg({ quality: 92 }).toBuffer(), 'cam-1');
  }

  it('reads the rows top to bottom as one plate', async () => {
    const r = expectRead(await reader.readVehicle(await twoRowFrame(), BAY));
    expect(r.text).toBe('浙G·Z6825');
    expect(r.format).toBe('cn');
    // The box covers both rows.
    expect(r.box[1]).toBeLessThan(600);
    expect(r.box[3]).toBeGreaterThan(715);
  });
});
