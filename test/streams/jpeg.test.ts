import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { JpegSplitter, jpegSize } from '../../streams/jpeg.js';
import { media } from '../support/paths.js';

describe('jpeg', () => {
  const a = readFileSync(media('street/road_cars_1s.jpg'));
  const b = readFileSync(media('street/dog_bicycle_car.jpg'));

  it('reads the size from the frame header', () => {
    expect(jpegSize(a)).toEqual({ width: 1280, height: 720 });
    expect(jpegSize(b)).toEqual({ width: 768, height: 576 });
    expect(jpegSize(Buffer.from('not a jpeg at all'))).toBeUndefined();
  });

  it('cuts a byte stream into whole pictures whatever the chunking, skipping junk between them', async () => {
    const progressive = await sharp(b).jpeg({ progressive: true }).toBuffer();
    const stream = Buffer.concat([Buffer.from('--boundary\r\nContent-Type: image/jpeg\r\n\r\n'), a, Buffer.from('\r\n--boundary\r\n\r\n'), progressive, a]);
    for (const chunk of [61, 4096, stream.length]) {
      const s = new JpegSplitter();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += chunk) out.push(...s.push(stream.subarray(i, i + chunk)));
      expect(out.map((p) => p.length)).toEqual([a.length, progressive.length, a.length]);
      expect(out[0]!.equals(a)).toBe(true);
      expect(out[1]!.equals(progressive)).toBe(true);
      expect(s.pending).toBe(0);
    }
  });

  it('refuses a "picture" that never ends beyond the size cap', () => {
    const s = new JpegSplitter(10_000);
    expect(() => s.push(Buffer.concat([a.subarray(0, a.length - 2), Buffer.alloc(20_000, 1)]))).toThrow(/larger than/);
  });
});
