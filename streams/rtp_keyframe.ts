/**
 * Turns RTP packets of an H.264 (RFC 6184) or H.265 (RFC 7798) stream into the first whole keyframe
 * access unit, as Annex-B bytes a decoder can take on its own: parameter sets (in-band ones if the
 * camera sent them, else those from the SDP), the keyframe's slices, then an access unit delimiter so a
 * decoder reading a pipe knows the picture is complete. Everything before the first keyframe is only
 * parsed for headers, never decoded — this is the cheap half of a sample.
 */
import { H26X_MAX_PARAMETER_SET_BYTES, H26X_MAX_SEI_SCAN_BYTES, RTP_MAX_ACCESS_UNIT_BYTES } from '../core/caps.js';
import { Bits, rbsp } from './sps.js';

export type VideoCodec = 'h264' | 'hevc';

const START = Buffer.from([0, 0, 0, 1]);
const AUD: Record<VideoCodec, Buffer> = { h264: Buffer.from([0x09, 0xf0]), hevc: Buffer.from([0x46, 0x01, 0x50]) };

function nalType(codec: VideoCodec, nal: Buffer): number {
  return codec === 'h264' ? nal[0]! & 0x1f : (nal[0]! >> 1) & 0x3f;
}

function isParameterSet(codec: VideoCodec, t: number): boolean {
  return codec === 'h264' ? t === 7 || t === 8 : t >= 32 && t <= 34;
}

function isDelimiter(codec: VideoCodec, t: number): boolean {
  return codec === 'h264' ? t === 9 : t === 35;
}

/** Whether an SEI NAL carries a recovery point (H.264 D.1.8): an I picture from which decoding can start. */
function hasRecoveryPoint(sei: Buffer): boolean {
  const b = rbsp(sei.subarray(1, 1 + H26X_MAX_SEI_SCAN_BYTES));
  let i = 0;
  while (i < b.length && b[i] !== 0x80) {
    let type = 0;
    while (b[i] === 0xff) type += b[i++]!;
    type += b[i++] ?? 0;
    let size = 0;
    while (b[i] === 0xff) size += b[i++]!;
    size += b[i++] ?? 0;
    if (type === 6) return true;
    i += size;
  }
  return false;
}

function isIntraSlice(nal: Buffer): boolean {
  try {
    const r = new Bits(rbsp(nal.subarray(1, 16)));
    r.ue(); // first_mb_in_slice
    const sliceType = r.ue() % 5;
    return sliceType === 2 || sliceType === 4;
  } catch {
    return false;
  }
}

/**
 * A picture that decodes on its own: an IDR (H.264) or IRAP (H.265) picture, or an H.264 I picture marked
 * by a recovery point SEI (cameras with open GOPs send those instead of IDRs).
 */
function isKeyframe(codec: VideoCodec, nals: Buffer[]): boolean {
  if (codec === 'hevc') return nals.some((n) => nalType(codec, n) >= 16 && nalType(codec, n) <= 21);
  if (nals.some((n) => nalType(codec, n) === 5)) return true;
  const slices = nals.filter((n) => nalType(codec, n) === 1);
  return slices.length > 0 && nals.some((n) => nalType(codec, n) === 6 && hasRecoveryPoint(n)) && slices.every(isIntraSlice);
}

export class KeyframeAssembler {
  /** Latest parameter sets by NAL type (in-band ones replace the SDP's). */
  private readonly params = new Map<number, Buffer>();
  private nals: Buffer[] = [];
  private bytes = 0;
  private auTimestamp?: number;
  private fu?: Buffer[];
  /** Bytes held in `fu` (they count against the access unit's cap before the fragment ends). */
  private fuBytes = 0;
  private lastSeq?: number;
  private broken = false;
  /** RTP packets seen (for diagnostics). */
  packets = 0;

  /** Bytes held for the unit being assembled, fragments in progress included (never above the cap). */
  get heldBytes(): number {
    return this.bytes + this.fuBytes;
  }

  constructor(
    readonly codec: VideoCodec,
    sdpParameterSets: Buffer[],
    private readonly maxBytes = RTP_MAX_ACCESS_UNIT_BYTES,
  ) {
    for (const p of sdpParameterSets) if (p.length <= H26X_MAX_PARAMETER_SET_BYTES) this.params.set(nalType(codec, p), p);
  }

  /** Feeds one RTP packet; returns the Annex-B keyframe access unit once one is complete. */
  push(packet: Buffer): Buffer | undefined {
    if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
    this.packets++;
    const cc = packet[0]! & 0x0f;
    const hasExt = (packet[0]! & 0x10) !== 0;
    const padded = (packet[0]! & 0x20) !== 0;
    const marker = (packet[1]! & 0x80) !== 0;
    const seq = packet.readUInt16BE(2);
    const timestamp = packet.readUInt32BE(4);
    let off = 12 + cc * 4;
    if (hasExt) {
      if (packet.length < off + 4) return undefined;
      off += 4 + packet.readUInt16BE(off + 2) * 4;
    }
    let end = packet.length;
    if (padded) end -= packet[packet.length - 1]!;
    if (off >= end) return undefined;

    // A gap in sequence numbers loses part of a picture (this one or the one before): neither can be used.
    const gap = this.lastSeq !== undefined && seq !== ((this.lastSeq + 1) & 0xffff);
    if (gap) {
      this.broken = true;
      this.fu = undefined;
      this.fuBytes = 0;
    }
    let done: Buffer | undefined;
    if (this.auTimestamp !== undefined && timestamp !== this.auTimestamp) {
      done = this.finish();
      this.broken = gap;
    }
    this.lastSeq = seq;
    this.auTimestamp = timestamp;
    this.payload(packet.subarray(off, end));
    if (done) return done;
    return marker ? this.finish() : undefined;
  }

  private add(nal: Buffer): void {
    if (nal.length === 0) return;
    const t = nalType(this.codec, nal);
    // The camera's own delimiters would split our unit in two for the decoder: ours closes it instead.
    if (isDelimiter(this.codec, t)) return;
    if (isParameterSet(this.codec, t)) {
      // An oversized parameter set is not one a decoder could use: dropping it keeps the last good one.
      if (nal.length <= H26X_MAX_PARAMETER_SET_BYTES) this.params.set(t, Buffer.from(nal));
      return;
    }
    this.nals.push(Buffer.from(nal));
    this.bytes += nal.length;
    if (this.bytes > this.maxBytes) this.overflow();
  }

  /** The unit outgrew the cap: it cannot be a keyframe anyone decodes, so drop what is held and skip to the next. */
  private overflow(): void {
    this.nals = [];
    this.bytes = 0;
    this.fu = undefined;
    this.fuBytes = 0;
    this.broken = true;
  }

  private payload(p: Buffer): void {
    if (this.codec === 'h264') {
      const t = p[0]! & 0x1f;
      if (t >= 1 && t <= 23) return this.add(p);
      if (t === 24) return this.aggregated(p, 1);
      if (t === 28 && p.length > 2) return this.fragment(p.subarray(2), p[1]!, Buffer.from([(p[0]! & 0xe0) | (p[1]! & 0x1f)]));
      return; // STAP-B, MTAP, FU-B: not used by cameras in non-interleaved mode
    }
    if (p.length < 3) return;
    const t = (p[0]! >> 1) & 0x3f;
    if (t === 48) return this.aggregated(p, 2);
    if (t === 49 && p.length > 3) {
      const fuType = p[2]! & 0x3f;
      return this.fragment(p.subarray(3), p[2]!, Buffer.from([(p[0]! & 0x81) | (fuType << 1), p[1]!]));
    }
    if (t < 48) this.add(p);
  }

  private aggregated(p: Buffer, headerBytes: number): void {
    let i = headerBytes;
    while (i + 2 <= p.length) {
      const size = p.readUInt16BE(i);
      i += 2;
      if (size === 0 || i + size > p.length) return;
      this.add(p.subarray(i, i + size));
      i += size;
    }
  }

  private fragment(body: Buffer, fuHeader: number, nalHeader: Buffer): void {
    const start = (fuHeader & 0x80) !== 0;
    const end = (fuHeader & 0x40) !== 0;
    if (start) {
      this.fu = [nalHeader];
      this.fuBytes = 0;
    }
    if (!this.fu) return; // middle of a fragment whose start we missed
    this.fu.push(Buffer.from(body));
    this.fuBytes += body.length;
    // A fragment that never ends (no end bit, no new timestamp, no marker) must not grow without bound.
    if (this.bytes + this.fuBytes > this.maxBytes) return this.overflow();
    if (end) {
      const nal = Buffer.concat(this.fu);
      this.fu = undefined;
      this.fuBytes = 0;
      this.add(nal);
    }
  }

  /** Closes the current access unit; returns it as Annex-B if it was a whole keyframe. */
  private finish(): Buffer | undefined {
    const nals = this.nals;
    const broken = this.broken;
    this.nals = [];
    this.bytes = 0;
    this.broken = false;
    this.fu = undefined;
    this.fuBytes = 0;
    this.auTimestamp = undefined;
    if (broken || !isKeyframe(this.codec, nals)) return undefined;
    const params = [...this.params.entries()].sort(([a], [b]) => a - b).map(([, b]) => b);
    const needed = this.codec === 'h264' ? [7, 8] : [32, 33, 34];
    if (!needed.every((t) => this.params.has(t))) return undefined; // cannot decode without them; wait for in-band ones
    const parts: Buffer[] = [];
    for (const n of [...params, ...nals, AUD[this.codec]]) parts.push(START, n);
    return Buffer.concat(parts);
  }
}
