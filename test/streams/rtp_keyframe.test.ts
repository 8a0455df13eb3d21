import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KeyframeAssembler } from '../../streams/rtp_keyframe.js';
import { parseSdp } from '../../streams/sdp.js';
import { spsSize } from '../../streams/sps.js';
import { media } from '../support/paths.js';

/** NAL units of an Annex-B stream. */
function nals(annexB: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 3 < annexB.length; i++) if (annexB[i] === 0 && annexB[i + 1] === 0 && annexB[i + 2] === 1) starts.push(i + 3);
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1]! - 3 : annexB.length;
    while (end > s && annexB[end - 1] === 0) end--;
    return annexB.subarray(s, end);
  });
}

function rtp(seq: number, ts: number, marker: boolean, payload: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (marker ? 0x80 : 0) | 96;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(ts, 4);
  h.writeUInt32BE(0x1234, 8);
  return Buffer.concat([h, payload]);
}

/** RFC 6184 packetization: SPS+PPS in one STAP-A, slices in FU-A fragments of `mtu` bytes. */
function packetize(units: Buffer[], seq0: number, ts: number, mtu = 900): Buffer[] {
  const params = units.filter((n) => [7, 8].includes(n[0]! & 0x1f));
  const slices = units.filter((n) => ![7, 8, 9].includes(n[0]! & 0x1f));
  const payloads: Buffer[] = [];
  if (params.length) payloads.push(Buffer.concat([Buffer.from([24]), ...params.flatMap((p) => [Buffer.from([p.length >> 8, p.length & 255]), p])]));
  for (const n of slices) {
    if (n.length <= mtu) {
      payloads.push(n);
      continue;
    }
    const body = n.subarray(1);
    for (let off = 0; off < body.length; off += mtu) {
      const fuHeader = (off === 0 ? 0x80 : 0) | (off + mtu >= body.length ? 0x40 : 0) | (n[0]! & 0x1f);
      payloads.push(Buffer.concat([Buffer.from([(n[0]! & 0xe0) | 28, fuHeader]), body.subarray(off, off + mtu)]));
    }
  }
  return payloads.map((p, i) => rtp(seq0 + i, ts, i === payloads.length - 1, p));
}

describe('KeyframeAssembler (RFC 6184)', () => {
  // Two access units: an IDR then a P frame, from a real picture.
  const stream = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-loop', '1', '-i', media('street/road_cars_1s.jpg'), '-vf', 'scale=640:360', '-frames:v', '2', '-c:v', 'libx264', '-bf', '0', '-g', '1', '-f', 'h264', '-'], { maxBuffer: 64 << 20 });
  const units = nals(stream);
  const firstSlice = units.findIndex((n) => (n[0]! & 0x1f) === 5);
  const idrAu = units.slice(0, firstSlice + 1);

  it('reassembles STAP-A and FU-A packets into a decodable keyframe unit', () => {
    const a = new KeyframeAssembler('h264', []);
    const pkts = packetize(idrAu, 100, 9000);
    expect(pkts.length).toBeGreaterThan(3);
    const outs = pkts.map((p) => a.push(p)).filter(Boolean);
    expect(outs).toHaveLength(1);
    const au = outs[0]!;
    expect(spsSize('h264', au)).toEqual({ width: 640, height: 360 });
    const types = nals(au).map((n) => n[0]! & 0x1f);
    expect(types).toEqual([7, 8, ...idrAu.slice(2).map((n) => n[0]! & 0x1f).filter((t) => t !== 9), 9]);
    // The slices came back byte for byte.
    expect(Buffer.concat(nals(au).filter((n) => (n[0]! & 0x1f) === 5)).equals(Buffer.concat(idrAu.filter((n) => (n[0]! & 0x1f) === 5)))).toBe(true);
  });

  it('drops a keyframe with a lost packet and takes the next whole one, with SDP parameter sets', () => {
    const sdpSets = idrAu.filter((n) => [7, 8].includes(n[0]! & 0x1f));
    const a = new KeyframeAssembler('h264', sdpSets);
    const slicesOnly = idrAu.filter((n) => (n[0]! & 0x1f) === 5);
    const first = packetize(slicesOnly, 65530, 1000); // sequence numbers wrap around 65535
    first.splice(2, 1);
    expect(first.map((p) => a.push(p)).filter(Boolean)).toHaveLength(0);
    const second = packetize(slicesOnly, 65530 + first.length + 1, 4600);
    const outs = second.map((p) => a.push(p)).filter(Boolean);
    expect(outs).toHaveLength(1);
    expect(spsSize('h264', outs[0]!)).toEqual({ width: 640, height: 360 });
  });
});

describe('KeyframeAssembler caps', () => {
  const stream = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-loop', '1', '-i', media('street/road_cars_1s.jpg'), '-vf', 'scale=320:180', '-frames:v', '1', '-c:v', 'libx264', '-g', '1', '-f', 'h264', '-'], { maxBuffer: 64 << 20 });
  const idrAu = nals(stream).filter((n) => (n[0]! & 0x1f) !== 9);

  it('drops a fragment that never ends once it outgrows the cap, and still takes the next whole keyframe', () => {
    const cap = 64 * 1024;
    const a = new KeyframeAssembler('h264', [], cap);
    // An IDR fragment started and never finished: no end bit, same timestamp, no marker, 4x the cap.
    const middle = (start: boolean) => Buffer.concat([Buffer.from([0x7c, (start ? 0x80 : 0) | 5]), Buffer.alloc(1000, 0x55)]);
    let seq = 0;
    for (let i = 0; i < 256; i++) {
      expect(a.push(rtp(seq++, 1000, false, middle(i === 0)))).toBeUndefined();
      expect(a.heldBytes).toBeLessThanOrEqual(cap);
    }
    // Its end arrives at last (with the marker): what was dropped cannot come back as a keyframe.
    expect(a.push(rtp(seq++, 1000, true, Buffer.from([0x7c, 0x45, 1, 2, 3])))).toBeUndefined();
    const outs = packetize(idrAu, seq, 4000).map((p) => a.push(p)).filter(Boolean);
    expect(outs).toHaveLength(1);
    expect(spsSize('h264', outs[0]!)).toEqual({ width: 320, height: 180 });
  });

  it('ignores parameter sets too large to be real', () => {
    const a = new KeyframeAssembler('h264', []);
    const sps = idrAu.find((n) => (n[0]! & 0x1f) === 7)!;
    const giant = Buffer.concat([sps, Buffer.alloc(8192, 0x11)]);
    const units = idrAu.map((n) => ((n[0]! & 0x1f) === 7 ? giant : n));
    // Without a usable SPS the keyframe cannot be decoded: no unit comes out.
    expect(packetize(units, 1, 3000, 60_000).map((p) => a.push(p)).filter(Boolean)).toHaveLength(0);
  });
});

describe('KeyframeAssembler with open GOPs (no IDR after the first)', () => {
  it('takes an I picture marked by a recovery point SEI, and no P picture', () => {
    const stream = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-loop', '1', '-i', media('street/road_cars_1s.jpg'), '-vf', 'scale=320:180', '-frames:v', '12', '-c:v', 'libx264', '-x264-params', 'open-gop=1:keyint=10:min-keyint=10:scenecut=0', '-f', 'h264', '-'], { maxBuffer: 64 << 20 });
    const units = nals(stream);
    const types = units.map((n) => n[0]! & 0x1f);
    const second = types.indexOf(7, 1);
    // x264's open-GOP keyframe: SPS, PPS, SEI (recovery point), then a non-IDR slice.
    expect(types.slice(second, second + 4)).toEqual([7, 8, 6, 1]);
    const recovery = units.slice(second, second + 4);
    const a = new KeyframeAssembler('h264', []);
    const pFrame = units.slice(second - 1, second);
    const pPackets = packetize(pFrame, 1, 3000);
    expect(pPackets.map((p) => a.push(p)).filter(Boolean)).toHaveLength(0);
    const outs = packetize(recovery, 1 + pPackets.length, 6000).map((p) => a.push(p)).filter(Boolean);
    expect(outs).toHaveLength(1);
    // It decodes on its own.
    const decoded = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'quiet', '-f', 'h264', '-i', '-', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { input: outs[0]!, maxBuffer: 64 << 20 });
    expect(decoded.length).toBe(320 * 180);
  });
});

describe('parseSdp', () => {
  it('finds the video stream, its control URL and parameter sets in a typical camera SDP', () => {
    const sdp = [
      'v=0', 'o=- 1 1 IN IP4 10.0.0.5', 's=Media Presentation', 't=0 0', 'a=control:*',
      'm=audio 0 RTP/AVP 8', 'a=rtpmap:8 PCMA/8000', 'a=control:trackID=2',
      'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z01AKpWgHgCJ+VA=,aO48gA==', 'a=control:trackID=1',
    ].join('\r\n');
    const v = parseSdp(sdp, 'rtsp://10.0.0.5:554/Streaming/Channels/101/')!;
    expect(v).toMatchObject({ control: 'rtsp://10.0.0.5:554/Streaming/Channels/101/trackID=1', payloadType: 96, encoding: 'H264', clockRate: 90000 });
    expect(v.parameterSets.map((b) => b[0]! & 0x1f)).toEqual([7, 8]);
    expect(parseSdp('v=0\r\nm=audio 0 RTP/AVP 0\r\n', 'rtsp://x/')).toBeUndefined();
    expect(parseSdp('m=video 0 RTP/AVP 96\na=rtpmap:96 H265/90000\na=control:rtsp://cam/ch1/video\n', 'rtsp://x/')).toMatchObject({ encoding: 'H265', control: 'rtsp://cam/ch1/video' });
  });

  it('refuses an SDP no camera sends: thousands of lines, a payload type RTP cannot carry', () => {
    const many = ['v=0', 'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000', ...Array<string>(5000).fill('a=x:1')].join('\r\n');
    expect(() => parseSdp(many, 'rtsp://x/')).toThrow(/more than 1000 lines/);
    expect(() => parseSdp('v=0\r\nm=video 0 RTP/AVP 99999\r\n', 'rtsp://x/')).toThrow(/payload type 99999/);
  });
});
