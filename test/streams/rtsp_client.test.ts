import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { fullJpeg } from '../../core/frames.js';
import { openSource } from '../../streams/source.js';
import { fetchKeyframe } from '../../streams/rtsp_client.js';
import { residentFfmpegCount, runningFfmpegCount } from '../../streams/ffmpeg.js';
import { stopKeyframeDecoders } from '../../streams/keyframe_decoder.js';
import { media } from '../support/paths.js';
import { makeClip, startRtspServer, type RtspServer } from '../support/rtsp.js';

/** Mean absolute difference of two same-size RGB buffers. */
function meanDiff(a: Buffer, b: Buffer): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

describe("weisu's RTSP client + long-lived keyframe decoders", () => {
  const video = media('video/video_road_cars_9s.mp4');
  // Odd sizes on purpose: 1920x1080 is cropped from 1088 in the SPS, 854x480 and 360x640 are not multiples of 16.
  const h264Wide = makeClip({ source: video, seconds: 3, width: 854, height: 480, gop: 25 });
  const h264Tall = makeClip({ source: video, seconds: 3, width: 360, height: 640, gop: 25 });
  const h264Full = makeClip({ source: video, seconds: 2, width: 1920, height: 1080, gop: 25 });
  const hevc = makeClip({ source: video, seconds: 3, width: 640, gop: 25, codec: 'hevc' });
  let rtsp: RtspServer;
  beforeAll(async () => {
    rtsp = await startRtspServer({
      mounts: [
        { path: '/wide', file: h264Wide },
        { path: '/tall', file: h264Tall },
        { path: '/full', file: h264Full },
        { path: '/hevc', file: hevc, codec: 'h265' },
      ],
    });
  });
  afterAll(async () => {
    stopKeyframeDecoders();
    await rtsp.stop();
  });

  it('fetches a whole keyframe access unit (parameter sets + IDR) without decoding', async () => {
    const k = await fetchKeyframe({ url: rtsp.url('/wide'), address: '127.0.0.1', what: 'wide', connectTimeoutMs: 3000, frameTimeoutMs: 5000 });
    expect(k.codec).toBe('h264');
    const types: number[] = [];
    for (let i = 0; i + 4 < k.au.length; i++) if (k.au.readUInt32BE(i) === 1) types.push(k.au[i + 4]! & 0x1f);
    expect(types.slice(0, 2)).toEqual([7, 8]);
    expect(types).toContain(5);
    expect(types.at(-1)).toBe(9);
    expect(runningFfmpegCount()).toBe(0);
  });

  it('gives each camera its own picture when sizes and codecs interleave on shared decoders', async () => {
    const expected: Record<string, [number, number, string]> = { '/wide': [854, 480, 'h264'], '/tall': [360, 640, 'h264'], '/full': [1920, 1080, 'h264'], '/hevc': [640, 360, 'hevc'] };
    for (const path of ['/wide', '/hevc', '/tall', '/full', '/wide', '/tall', '/hevc', '/full']) {
      const src = openSource({ cameraId: path, url: rtsp.url(path), inferenceLongSide: 320 });
      const f = await src.grab();
      const [w, h, codec] = expected[path]!;
      expect([f.width, f.height, src.lastGrab?.codec, src.lastGrab?.path], path).toEqual([w, h, codec, 'rtsp_client']);
      expect((await sharp(f.jpeg).metadata()).width).toBe(w);
      const long = Math.max(f.pixels!.width, f.pixels!.height);
      expect(long).toBe(320);
      // The inference copy is the same picture as the JPEG.
      const fromJpeg = await sharp(f.jpeg).resize(f.pixels!.width, f.pixels!.height, { fit: 'fill' }).removeAlpha().raw().toBuffer();
      expect(meanDiff(fromJpeg, f.pixels!.data), path).toBeLessThan(10);
    }
    expect(runningFfmpegCount()).toBe(0);
    expect(residentFfmpegCount()).toBeGreaterThan(0);
    stopKeyframeDecoders();
    await new Promise((r) => setTimeout(r, 300));
    expect(residentFfmpegCount()).toBe(0);
  });

  it('sample() leaves the full-resolution JPEG for later, and makes it of the very same picture when asked', async () => {
    const src = openSource({ cameraId: 'lazy', url: rtsp.url('/full'), inferenceLongSide: 416 });
    const f = await src.sample();
    expect([f.width, f.height, src.lastGrab?.path]).toEqual([1920, 1080, 'rtsp_client']);
    expect(f.jpeg).toBeUndefined();
    expect([f.pixels!.width, f.pixels!.height]).toEqual([416, 234]);
    const jpeg = await fullJpeg(f);
    expect(await fullJpeg(f)).toBe(jpeg); // encoded once
    expect((await sharp(jpeg).metadata()).width).toBe(1920);
    const fromJpeg = await sharp(jpeg).resize(416, 234, { fit: 'fill' }).removeAlpha().raw().toBuffer();
    expect(meanDiff(fromJpeg, f.pixels!.data)).toBeLessThan(10);
    // Same picture as an eager grab of the same keyframe (the mount plays the file from its start each time).
    const eager = await openSource({ cameraId: 'eager', url: rtsp.url('/full'), inferenceLongSide: 416 }).grab();
    expect(meanDiff(eager.pixels!.data, f.pixels!.data)).toBeLessThan(1);
    expect(runningFfmpegCount()).toBe(0);
  });

  it('matches the ffmpeg path picture for picture', async () => {
    const ours = await openSource({ cameraId: 'a', url: rtsp.url('/full'), inferenceLongSide: 416 }).grab();
    const theirs = await openSource({ cameraId: 'a', url: rtsp.url('/full'), inferenceLongSide: 416, rtspClient: 'ffmpeg' }).grab();
    expect([theirs.width, theirs.height]).toEqual([ours.width, ours.height]);
    expect([theirs.pixels!.width, theirs.pixels!.height]).toEqual([416, 234]);
    // Both show the file's first keyframe.
    expect(meanDiff(ours.pixels!.data, theirs.pixels!.data)).toBeLessThan(3);
  });
});

describe('RTSP auth on both paths', () => {
  const clip = makeClip({ source: media('video/video_road_cars_9s.mp4'), seconds: 3, width: 320, gop: 25 });
  for (const method of ['basic', 'digest'] as const) {
    it(`${method}: right credentials open, wrong ones say auth_failed`, async () => {
      const rtsp = await startRtspServer({ mounts: [{ path: '/cam', file: clip }], auth: { user: 'admin', password: 'p@ss:w/rd', method } });
      try {
        for (const rtspClient of ['weisu', 'ffmpeg'] as const) {
          const f = await openSource({ cameraId: 'a', url: rtsp.url('/cam', { user: 'admin', password: 'p@ss:w/rd' }), rtspClient }).grab();
          expect(f.width, rtspClient).toBe(320);
          await expect(openSource({ cameraId: 'a', url: rtsp.url('/cam'), username: 'admin', password: 'nope', rtspClient }).grab()).rejects.toMatchObject({ reason: 'auth_failed' });
        }
      } finally {
        await rtsp.stop();
      }
    });
  }
});
