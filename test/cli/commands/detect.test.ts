import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { media } from '../../support/paths.js';
import { spawnWeisu } from '../../support/weisu.js';

type Plate = { text: string; confidence: number; format: string; box: number[] } | { unread: true; reason: string };
interface Line { source: string; ts: number; width: number; height: number; detections: { label: string; category: string; score: number; box: number[]; plate?: Plate }[] }

describe('weisu detect', () => {
  it('detects in picture files, a picture URL and a video; writes annotated JPEGs; reports a bad file and goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weisu-detect-'));
    const bad = join(dir, 'broken.jpg');
    writeFileSync(bad, readFileSync(media('street/street_bus.jpg')).subarray(0, 3000));
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(readFileSync(media('street/street_bus.jpg'))));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://viewer:s3cret@127.0.0.1:${(server.address() as AddressInfo).port}/snapshot.jpg`;
    try {
      const p = spawnWeisu(['detect', media('street/road_parked_cars_lane00000.jpg'), bad, url, media('video/video_road_cars_9s.mp4'), '--every', '4s', '--json', '--out', dir]);
      const { code } = await p.exited;
      const out = p.output();
      expect(code, out).toBe(1); // one input failed
      expect(out).not.toContain('s3cret');
      expect(out).toMatch(/broken\.jpg: .*(truncated|corrupt|readable)/);
      const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
      expect(lines.map((l) => [l.source.replace(/.*\//, ''), l.ts])).toEqual([
        ['road_parked_cars_lane00000.jpg', 0],
        ['snapshot.jpg', expect.any(Number)],
        ['video_road_cars_9s.mp4', 0],
        ['video_road_cars_9s.mp4', 4000],
        ['video_road_cars_9s.mp4', 8000],
      ]);
      expect(lines[0]!.detections.filter((d) => d.category === 'vehicle').length).toBeGreaterThanOrEqual(4);
      expect(lines[1]!.detections.some((d) => d.label === 'bus')).toBe(true);
      for (const l of lines.slice(2)) expect(l.detections.some((d) => d.label === 'car')).toBe(true);
      const annotated = await sharp(join(dir, 'road_parked_cars_lane00000.jpg')).metadata();
      expect(annotated).toMatchObject({ format: 'jpeg', width: 1640, height: 590 });
      expect((await sharp(join(dir, 'video_road_cars_9s-4000ms.jpg')).metadata()).width).toBe(1280);
    } finally {
      server.close();
    }
  }, 300_000);

  it('refuses an unknown model with the known ids, before reading any picture', async () => {
    const p = spawnWeisu(['detect', media('street/street_bus.jpg'), '--model', 'yolov99']);
    expect((await p.exited).code).toBe(1);
    expect(p.output()).toMatch(/no model "yolov99"[\s\S]*yolox-nano-coco-416/);
  });

  it('--plates: each vehicle gets its plate or why it is unread, in the JSON and the annotated picture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weisu-detect-plates-'));
    // A Chinese car seen from the front, and a KITTI street whose plates are too small to read.
    const p = spawnWeisu(['detect', media('street/parked_car_in_bay.jpg'), media('street/street_parked_cars_003.png'), '--plates', '--json', '--out', dir]);
    const { code } = await p.exited;
    expect(code, p.output()).toBe(0);
    const [bay, kitti] = p.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
    const car = bay!.detections.find((d) => d.category === 'vehicle')!;
    expect(car.plate).toMatchObject({ text: '浙G·Z6825', format: 'cn' });
    const box = (car.plate as { box: number[] }).box;
    expect(box[0]! >= car.box[0]! && box[2]! <= car.box[2]! && box[1]! >= car.box[1]! && box[3]! <= car.box[3]!).toBe(true);
    const vehicles = kitti!.detections.filter((d) => d.category === 'vehicle');
    expect(vehicles.length).toBeGreaterThan(3);
    for (const v of vehicles) expect(v.plate).toMatchObject({ unread: true, reason: expect.any(String) });
    for (const d of [...bay!.detections, ...kitti!.detections].filter((x) => x.category !== 'vehicle')) expect(d.plate).toBeUndefined();
    expect((await sharp(join(dir, 'parked_car_in_bay.jpg')).metadata()).width).toBe(1200);
  }, 300_000);
});
