import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { WeisuError } from '../../core/errors.js';
import { decodeImage, frameFromImage } from '../../detector/image.js';
import { media } from '../support/paths.js';
import { pngDecompressionBomb } from '../support/picture_bombs.js';

async function refusal(p: Promise<unknown>): Promise<WeisuError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(WeisuError);
  return e as WeisuError;
}

const gradient = (w: number, h: number, channels: 1 | 2 | 3 | 4) =>
  sharp(Buffer.from(Array.from({ length: w * h * channels }, (_, i) => (i * 7) % 256)), { raw: { width: w, height: h, channels } });

describe('decodeImage', () => {
  it('decodes a real JPEG to packed 8-bit RGB', async () => {
    const img = await decodeImage(readFileSync(media('street/street_bus.jpg')));
    expect(img).toMatchObject({ width: 810, height: 1080, channels: 3 });
    expect(img.data.length).toBe(810 * 1080 * 3);
  });

  it('normalises grayscale, alpha, CMYK and 16-bit pictures to 8-bit RGB', async () => {
    const inputs = {
      grey: await gradient(32, 24, 1).png().toBuffer(),
      greyAlpha: await gradient(32, 24, 2).png().toBuffer(),
      rgba: readFileSync(media('weather/highway_snow.png')),
      cmyk: await gradient(32, 24, 3).toColourspace('cmyk').jpeg().toBuffer(),
      rgb16: await gradient(32, 24, 3).toColourspace('rgb16').png().toBuffer(),
    };
    expect((await sharp(inputs.cmyk).metadata()).space).toBe('cmyk');
    expect((await sharp(inputs.rgb16).metadata()).depth).toBe('ushort');
    expect((await sharp(inputs.rgba).metadata()).channels).toBe(4);
    for (const [name, buf] of Object.entries(inputs)) {
      const img = await decodeImage(buf);
      const meta = await sharp(buf).metadata();
      expect(img.channels, name).toBe(3);
      expect(img.data.length, name).toBe(meta.width! * meta.height! * 3);
    }
    // Transparent pixels become neutral grey, not whatever colour hid under the alpha.
    const clear = await sharp({ create: { width: 16, height: 16, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    expect([...(await decodeImage(clear)).data.subarray(0, 3)]).toEqual([114, 114, 114]);
  });

  it('applies EXIF orientation so the picture is upright', async () => {
    const rotated = await gradient(40, 20, 3).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await decodeImage(rotated)).toMatchObject({ width: 20, height: 40 });
    const f = await frameFromImage(rotated, 'c');
    expect(f).toMatchObject({ width: 20, height: 40 });
    expect((await sharp(f.jpeg).metadata()).width).toBe(20); // evidence JPEG is upright too
  });

  it('refuses empty, non-image and truncated bytes with a clear error', async () => {
    expect((await refusal(decodeImage(Buffer.alloc(0)))).message).toMatch(/empty/);
    expect((await refusal(decodeImage(Buffer.from('<html>not found</html>')))).code).toBe('image_invalid');
    const jpeg = readFileSync(media('street/street_bus.jpg'));
    const truncated = await refusal(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))));
    expect(truncated.code).toBe('image_invalid');
    expect(truncated.fix).toBeDefined();
    await refusal(frameFromImage(jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'c'));
  });

  it('refuses a 1×1 picture and a 20000×20000 one by size, before decoding', async () => {
    const tiny = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } }).png().toBuffer();
    expect((await refusal(decodeImage(tiny))).code).toBe('image_too_small');
    const before = process.memoryUsage().rss;
    const huge = await refusal(decodeImage(pngDecompressionBomb(20000, 20000)));
    expect(huge.code).toBe('image_too_large');
    expect(huge.message).toMatch(/20000×20000/);
    expect((await refusal(frameFromImage(pngDecompressionBomb(20000, 20000), 'c'))).code).toBe('image_too_large');
    expect(process.memoryUsage().rss - before).toBeLessThan(200e6); // 1.2 GB of pixels were never allocated
  });
});

describe('frameFromImage', () => {
  it('keeps the original JPEG for evidence and an inference copy with the asked long side', async () => {
    const jpeg = readFileSync(media('street/road_parked_cars_lane00000.jpg'));
    const f = await frameFromImage(jpeg, 'cam', 42, { pixelsLongSide: 416 });
    expect(f).toMatchObject({ cameraId: 'cam', ts: 42, width: 1640, height: 590 });
    expect(f.jpeg).toBe(jpeg);
    expect(f.pixels).toMatchObject({ width: 416, height: 150, channels: 3 });
  });

  it('re-encodes other formats as JPEG and never enlarges small pictures', async () => {
    const png = readFileSync(media('street/street_parked_cars_003.png'));
    const f = await frameFromImage(png, 'cam');
    expect((await sharp(f.jpeg).metadata()).format).toBe('jpeg');
    expect(f.pixels).toMatchObject({ width: 640 });
    const small = await frameFromImage(await gradient(100, 50, 3).jpeg().toBuffer(), 'cam');
    expect(small.pixels).toMatchObject({ width: 100, height: 50 });
  });
});
