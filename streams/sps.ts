import type { VideoCodec } from './rtp_keyframe.js';

/**
 * Picture size from an H.264 (ITU-T H.264 7.3.2.1.1) or H.265 (ITU-T H.265 7.3.2.2) sequence parameter
 * set. The long-lived decoders fix their output size on their first picture, so keyframes are routed to a
 * decoder by the size this says, without decoding anything.
 */
export class Bits {
  private pos = 0;
  constructor(private readonly b: Buffer) {}

  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.b[this.pos >> 3];
      if (byte === undefined) throw new Error('SPS ends early');
      v = v * 2 + ((byte >> (7 - (this.pos & 7))) & 1);
      this.pos++;
    }
    return v;
  }

  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros > 31) throw new Error('bad exp-Golomb code');
    return 2 ** zeros - 1 + this.u(zeros);
  }

  se(): number {
    const k = this.ue();
    return k % 2 ? (k + 1) / 2 : -k / 2;
  }
}

/** Removes emulation-prevention bytes (00 00 03 → 00 00). */
export function rbsp(nal: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function h264Size(nal: Buffer): { width: number; height: number } {
  const r = new Bits(rbsp(nal.subarray(1)));
  const profile = r.u(8);
  r.u(16); // constraint flags, level
  r.ue(); // seq_parameter_set_id
  let chroma = 1;
  if (HIGH_PROFILES.has(profile)) {
    chroma = r.ue();
    if (chroma === 3) r.u(1);
    r.ue();
    r.ue();
    r.u(1);
    if (r.u(1)) {
      for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) {
        if (!r.u(1)) continue;
        let last = 8;
        let next = 8;
        for (let j = 0; j < (i < 6 ? 16 : 64); j++) {
          if (next !== 0) next = (last + r.se() + 256) % 256;
          last = next === 0 ? last : next;
        }
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.u(1);
    r.se();
    r.se();
    const n = r.ue();
    for (let i = 0; i < n; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.u(1);
  const wMbs = r.ue() + 1;
  const hMaps = r.ue() + 1;
  const frameMbsOnly = r.u(1);
  if (!frameMbsOnly) r.u(1);
  r.u(1);
  let [left, right, top, bottom] = [0, 0, 0, 0];
  if (r.u(1)) [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
  const cropX = chroma === 1 || chroma === 2 ? 2 : 1;
  const cropY = (chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
  return { width: wMbs * 16 - cropX * (left + right), height: (2 - frameMbsOnly) * hMaps * 16 - cropY * (top + bottom) };
}

function hevcSize(nal: Buffer): { width: number; height: number } {
  const r = new Bits(rbsp(nal.subarray(2)));
  r.u(4);
  const subLayers = r.u(3);
  r.u(1);
  r.u(96); // general profile_tier_level
  const profilePresent: number[] = [];
  const levelPresent: number[] = [];
  for (let i = 0; i < subLayers; i++) {
    profilePresent.push(r.u(1));
    levelPresent.push(r.u(1));
  }
  if (subLayers > 0) for (let i = subLayers; i < 8; i++) r.u(2);
  for (let i = 0; i < subLayers; i++) {
    if (profilePresent[i]) r.u(88);
    if (levelPresent[i]) r.u(8);
  }
  r.ue(); // sps_seq_parameter_set_id
  const chroma = r.ue();
  if (chroma === 3) r.u(1);
  const width = r.ue();
  const height = r.ue();
  let [left, right, top, bottom] = [0, 0, 0, 0];
  if (r.u(1)) [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
  const subW = chroma === 1 || chroma === 2 ? 2 : 1;
  const subH = chroma === 1 ? 2 : 1;
  return { width: width - subW * (left + right), height: height - subH * (top + bottom) };
}

/** Size in the SPS of an Annex-B access unit, or undefined if it carries none that parses. */
export function spsSize(codec: VideoCodec, au: Buffer): { width: number; height: number } | undefined {
  for (let i = 0; i + 4 < au.length; i++) {
    if (au[i] !== 0 || au[i + 1] !== 0 || au[i + 2] !== 1) continue;
    const start = i + 3;
    const type = codec === 'h264' ? au[start]! & 0x1f : (au[start]! >> 1) & 0x3f;
    if (type !== (codec === 'h264' ? 7 : 33)) continue;
    let end = au.indexOf(Buffer.from([0, 0, 1]), start);
    if (end < 0) end = au.length;
    try {
      return codec === 'h264' ? h264Size(au.subarray(start, end)) : hevcSize(au.subarray(start, end));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
