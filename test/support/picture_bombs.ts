import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/**
 * Pictures that are small as bytes and huge as pixels, for tests that every decode refuses them from
 * their header. Sizes under sharp's own default limit (268 MP) show that weisu's cap is what stops them.
 */

/** A real 64x48 JPEG whose frame header declares `width` x `height`. */
export async function jpegPixelBomb(width: number, height: number): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 90, g: 120, b: 150 } } }).jpeg().toBuffer();
  for (let i = 2; i + 9 < jpeg.length; i += 2 + jpeg.readUInt16BE(i + 2)) {
    if (jpeg[i + 1] === 0xc0 || jpeg[i + 1] === 0xc2) {
      jpeg.writeUInt16BE(height, i + 5);
      jpeg.writeUInt16BE(width, i + 7);
      return jpeg;
    }
  }
  throw new Error('sharp made a JPEG without a frame header');
}

/** A valid-looking greyscale PNG of `width` x `height`: a few kB that claim width*height bytes once inflated. */
export function pngDecompressionBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // 8-bit
  ihdr.writeUInt8(0, 9); // greyscale
  // Only the first rows are in the file: a decoder allocates for all of them before it finds out.
  const rows = Buffer.alloc((width + 1) * 64);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

