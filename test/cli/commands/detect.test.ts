import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { media } from '../../support/paths.js';
import { spawnWeisu } from '../../support/weisu.js';

interface Line { source: string; ts: number; width: number; height: number; detections: { label: string; category: string; score: number; box: number[] }[] }

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
  });

  it('refuses an unknown model with the known ids, before reading any picture', async () => {
    const p = spawnWeisu(['detect', media('street/street_bus.jpg'), '--model', 'yolov99']);
    expect((await p.exited).code).toBe(1);
    expect(p.output()).toMatch(/no model "yolov99"[\s\S]*yolox-nano-coco-416/);
  });
});
