/**
 * Just enough JPEG structure to size a picture and to cut a byte stream (ffmpeg's image2pipe, an MJPEG
 * camera) into whole pictures without decoding them.
 */

const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

export function isJpeg(buf: Buffer): boolean {
  return buf.length > 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff;
}

/** Width and height from the frame header, or undefined if `buf` is not a JPEG. */
export function jpegSize(buf: Buffer): { width: number; height: number } | undefined {
  if (!isJpeg(buf)) return undefined;
  let i = 2;
  while (i + 9 < buf.length) {
    if (buf[i] !== 0xff) return undefined;
    const marker = buf[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = buf.readUInt16BE(i + 2);
    if (SOF.has(marker)) return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    if (marker === 0xda) return undefined;
    i += 2 + len;
  }
  return undefined;
}

/**
 * Cuts concatenated JPEGs apart. Walks marker segments by their lengths up to the scan, then looks for
 * the end marker in entropy-coded data (where a real 0xFF is always stuffed as FF00), so a thumbnail or
 * stray bytes in a header never end a picture early. Bytes before a start marker are skipped.
 */
export class JpegSplitter {
  private buf: Buffer = Buffer.alloc(0);
  /** Storage `buf` lives in, with room to grow. */
  private store: Buffer = Buffer.alloc(0);
  /** Where scanning resumes within `buf` (so each byte is looked at once). */
  private pos = 0;
  private inScan = false;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  /** Feeds bytes; returns the pictures completed by them. Throws if a picture outgrows `maxBytes`. */
  push(chunk: Buffer): Buffer[] {
    this.append(chunk);
    const out: Buffer[] = [];
    for (;;) {
      const end = this.findEnd();
      if (end < 0) break;
      // A copy: a view would keep the whole growing store alive as long as the picture lives.
      out.push(Buffer.from(this.buf.subarray(0, end)));
      this.buf = this.buf.subarray(end);
      this.pos = 0;
      this.inScan = false;
    }
    if (this.buf.length > this.maxBytes) throw new Error(`a picture is larger than ${this.maxBytes} bytes: not a JPEG stream`);
    return out;
  }

  /**
   * Appends into spare room after the held bytes, growing the store by doubling: a picture arriving in
   * many small chunks costs linear time, not a copy of everything held per chunk.
   */
  private append(chunk: Buffer): void {
    const b = this.buf;
    const store = this.store;
    const at = b.byteOffset - store.byteOffset + b.length;
    if (store.length && b.buffer === store.buffer && at + chunk.length <= store.length) {
      chunk.copy(store, at);
      this.buf = store.subarray(at - b.length, at + chunk.length);
      return;
    }
    this.store = Buffer.allocUnsafe(Math.max(64 * 1024, 2 * (b.length + chunk.length)));
    b.copy(this.store);
    chunk.copy(this.store, b.length);
    this.buf = this.store.subarray(0, b.length + chunk.length);
  }

  /** Bytes held that do not yet form a whole picture. */
  get pending(): number {
    return this.buf.length;
  }

  private findEnd(): number {
    const b = this.buf;
    if (this.pos === 0) {
      const soi = findSoi(b);
      if (soi < 0) {
        this.buf = b.subarray(Math.max(0, b.length - 2));
        return -1;
      }
      if (soi > 0) this.buf = b.subarray(soi);
      return this.findEndFrom(2);
    }
    return this.findEndFrom(this.pos);
  }

  private findEndFrom(start: number): number {
    const b = this.buf;
    let i = start;
    while (!this.inScan) {
      if (i + 4 > b.length) return this.wait(i);
      if (b[i] !== 0xff) {
        // Broken header: resynchronise on the next start marker.
        this.buf = b.subarray(i);
        this.pos = 0;
        return this.findEnd();
      }
      const marker = b[i + 1]!;
      if (marker === 0xff) {
        i++;
        continue;
      }
      if (marker === 0xd9) return i + 2;
      const len = b.readUInt16BE(i + 2);
      if (marker === 0xda) this.inScan = true;
      i += 2 + len;
    }
    // FF00 is stuffing, FFD0-D7 restart markers, FFFF fill: all part of the scan; only FFD9 ends it.
    for (i = b.indexOf(0xff, i); i >= 0 && i + 1 < b.length; i = b.indexOf(0xff, i + 1)) {
      if (b[i + 1] === 0xd9) return i + 2;
    }
    return this.wait(i < 0 ? b.length : i);
  }

  private wait(i: number): number {
    this.pos = i;
    return -1;
  }
}

function findSoi(b: Buffer): number {
  for (let i = b.indexOf(0xff); i >= 0 && i + 2 < b.length; i = b.indexOf(0xff, i + 1)) {
    if (b[i + 1] === 0xd8 && b[i + 2] === 0xff) return i;
  }
  return -1;
}
