import type { RawImage } from '../core/types.js';

/**
 * Binary PPM (P6) as ffmpeg writes it: `P6\n<w> <h>\n255\n` then w×h×3 bytes of RGB. Self-describing,
 * so a long-lived decoder can hand over pictures of any size without a side channel, at no encoding cost.
 */
const HEADER = /^P6\s+(\d+)\s+(\d+)\s+255\s/;

export class PpmSplitter {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns the pictures completed by them. Throws on bytes that are not PPM. */
  push(chunk: Buffer): RawImage[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: RawImage[] = [];
    for (;;) {
      if (this.buf.length < 2) break;
      if (this.buf[0] !== 0x50 || this.buf[1] !== 0x36) throw new Error('not a PPM (P6) stream');
      const m = HEADER.exec(this.buf.subarray(0, 32).toString('latin1'));
      if (!m) {
        if (this.buf.length >= 32) throw new Error('bad PPM header');
        break;
      }
      const width = Number(m[1]);
      const height = Number(m[2]);
      const start = m[0].length;
      const end = start + width * height * 3;
      if (this.buf.length < end) break;
      out.push({ data: Buffer.from(this.buf.subarray(start, end)), width, height, channels: 3 });
      this.buf = this.buf.subarray(end);
    }
    return out;
  }
}
