import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { openSource, StreamError, type Source } from '../../streams/source.js';
import { runningFfmpegCount } from '../../streams/ffmpeg.js';
import { media } from '../support/paths.js';
import { makeClip, startRtspServer, type RtspServer } from '../support/rtsp.js';
import { startCameraServer, type CameraServer } from '../support/camera_servers.js';

/** Mean absolute difference of two RGB pictures, 0..255. */
function meanDiff(a: Buffer, b: Buffer): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

async function expectStreamError(p: Promise<unknown>, reason: string): Promise<StreamError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(StreamError);
  expect((e as StreamError).reason).toBe(reason);
  expect((e as StreamError).field).toBe('url');
  return e as StreamError;
}

const clip = makeClip({ source: media('video/video_road_cars_9s.mp4'), seconds: 4, width: 640, gop: 25 });

describe('rtsp sources (GStreamer RTSP server)', () => {
  let rtsp: RtspServer;
  beforeAll(async () => {
    rtsp = await startRtspServer({ mounts: [{ path: '/rec', file: clip }, { path: '/live', file: clip, live: true, width: 480, keyInt: 25, bitrate: 512 }] });
  });
  afterAll(() => rtsp.stop());

  it('grabs a keyframe from a recording: full-size JPEG plus an inference copy from the same decode', async () => {
    const src = openSource({ cameraId: 'rec', url: rtsp.url('/rec'), inferenceLongSide: 320 });
    const before = Date.now();
    const f = await src.grab();
    expect(src.kind).toBe('rtsp');
    expect([f.width, f.height]).toEqual([640, 360]);
    expect(f.pixels).toMatchObject({ width: 320, height: 180, channels: 3 });
    expect(f.pixels!.data.length).toBe(320 * 180 * 3);
    expect(f.ts).toBeGreaterThanOrEqual(before);
    expect(src.lastGrab?.codec).toBe('h264');
    // The inference copy shows the same picture as the JPEG.
    const fromJpeg = await sharp(f.jpeg).resize(320, 180, { fit: 'fill' }).raw().toBuffer();
    expect(meanDiff(fromJpeg, f.pixels!.data)).toBeLessThan(8);
    await src.close();
  });

  it('reads a live (x264 zerolatency) camera over TCP, and over UDP when asked', async () => {
    for (const transport of ['tcp', 'udp'] as const) {
      const f = await openSource({ cameraId: 'live', url: rtsp.url('/live'), transport }).grab();
      expect([f.width, f.height]).toEqual([480, 270]);
      expect(f.pixels).toBeUndefined();
      expect((await sharp(f.jpeg).metadata()).format).toBe('jpeg');
    }
  });

  it('says not_found for an unknown path, with the password redacted', async () => {
    const e = await expectStreamError(openSource({ cameraId: 'x', url: rtsp.url('/nope'), password: 'hunter2', username: 'admin' }).grab(), 'not_found');
    expect(e.message).toContain('rtsp://admin:***@127.0.0.1');
    expect(e.message).not.toContain('hunter2');
  });

  it('abort kills ffmpeg at once and leaves no child behind (ffmpeg path)', async () => {
    const ctrl = new AbortController();
    const p = openSource({ cameraId: 'x', url: rtsp.url('/live'), rtspClient: 'ffmpeg' }).grab(ctrl.signal);
    ctrl.abort();
    await expectStreamError(p, 'aborted');
    expect(runningFfmpegCount()).toBe(0);
  });
});

describe('rtsp auth', () => {
  it('opens with the right credentials (in the URL or as fields) and says auth_failed otherwise', async () => {
    const rtsp = await startRtspServer({ mounts: [{ path: '/cam', file: clip }], auth: { user: 'op', password: 's3cret', method: 'digest' } });
    try {
      const ok = await openSource({ cameraId: 'a', url: rtsp.url('/cam', { user: 'op', password: 's3cret' }) }).grab();
      expect(ok.width).toBe(640);
      const fields = await openSource({ cameraId: 'a', url: rtsp.url('/cam'), username: 'op', password: 's3cret' }).grab();
      expect(fields.width).toBe(640);
      const e = await expectStreamError(openSource({ cameraId: 'a', url: rtsp.url('/cam', { user: 'op', password: 'wrong-pw' }) }).grab(), 'auth_failed');
      expect(e.message).not.toContain('wrong-pw');
    } finally {
      await rtsp.stop();
    }
  });
});

describe('file sources', () => {
  it('plays a file like a live camera: position is time since epoch, timestamps are wall-clock time and keep rising across loops', async () => {
    let now = 1_000_000;
    const src = openSource({ cameraId: 'f', url: clip, loop: true, epochMs: now, now: () => now, inferenceLongSide: 256 });
    const seen: number[] = [];
    for (const t of [500, 3500, 5000, 9200]) {
      now = 1_000_000 + t;
      const f = await src.grab();
      seen.push(f.ts);
      expect([f.width, f.height]).toEqual([640, 360]);
      expect(f.pixels).toMatchObject({ width: 256, height: 144 });
    }
    expect(seen).toEqual([1_000_500, 1_003_500, 1_005_000, 1_009_200]);
  });

  it('ends a file without loop, and says not_found for a missing file when opened', async () => {
    let now = 0;
    const src = openSource({ cameraId: 'f', url: `file://${clip}`, epochMs: 0, now: () => now });
    expect(src.kind).toBe('file');
    now = 60_000;
    await expectStreamError(src.grab(), 'ended');
    expect(() => openSource({ cameraId: 'f', url: '/nowhere/cam.mp4' })).toThrow(StreamError);
  });

  it('says bad_data for a file that is not a video', async () => {
    await expectStreamError(openSource({ cameraId: 'f', url: media('PROVENANCE.md') }).grab(), 'bad_data');
  });
});

describe('http cameras', () => {
  const jpg1 = media('street/road_cars_1s.jpg');
  const jpg2 = media('street/road_cars_4s.jpg');
  let basic: CameraServer;
  let digest: CameraServer;
  beforeAll(async () => {
    basic = await startCameraServer({ pictures: [jpg1, jpg2], auth: { user: 'cam', password: 'p@ss:w/rd', method: 'basic' } });
    digest = await startCameraServer({ pictures: [jpg1], auth: { user: 'cam', password: 'd1gest', method: 'digest' }, mjpegFps: 10 });
  });
  afterAll(async () => {
    await basic.stop();
    await digest.stop();
  });

  it('grabs a snapshot with Basic auth (credentials with reserved characters, in the URL)', async () => {
    const src = openSource({ cameraId: 's', url: basic.url('/snapshot.jpg', { user: 'cam', password: 'p@ss:w/rd' }), inferenceLongSide: 416 });
    const f = await src.grab();
    expect(src.kind).toBe('http_snapshot');
    expect([f.width, f.height]).toEqual([1280, 720]);
    expect(f.pixels).toMatchObject({ width: 416, height: 234 });
  });

  it('grabs snapshots and MJPEG with Digest auth, authenticating up front after the first challenge', async () => {
    const snap = openSource({ cameraId: 'd', url: digest.url('/snapshot.jpg'), username: 'cam', password: 'd1gest' });
    await snap.grab();
    await snap.grab();
    await snap.grab();
    // One 401 for the first grab, then the remembered challenge is answered directly.
    expect(digest.hits.get('/snapshot.jpg')).toBe(4);
    expect(digest.rejectedAuth).toBe(0);
    const mj = openSource({ cameraId: 'm', url: digest.url('/mjpeg'), username: 'cam', password: 'd1gest', inferenceLongSide: 320 });
    const f = await mj.grab();
    expect(mj.kind).toBe('mjpeg');
    expect([f.width, f.height, f.pixels?.width]).toEqual([1280, 720, 320]);
  });

  it('says auth_failed for wrong credentials and for none, never echoing the password', async () => {
    const e = await expectStreamError(openSource({ cameraId: 'd', url: digest.url('/snapshot.jpg', { user: 'cam', password: 'nope-secret' }) }).grab(), 'auth_failed');
    expect(e.message).toContain('cam:***@');
    expect(e.message).not.toContain('nope-secret');
    await expectStreamError(openSource({ cameraId: 'd', url: digest.url('/snapshot.jpg') }).grab(), 'auth_failed');
  });

  it('says unsupported for a web page and not_found for a wrong path', async () => {
    const page = await expectStreamError(openSource({ cameraId: 'p', url: basic.url('/page.html', { user: 'cam', password: 'p@ss:w/rd' }) }).grab(), 'unsupported');
    expect(page.message).toMatch(/web page/);
    await expectStreamError(openSource({ cameraId: 'p', url: basic.url('/cgi/snap.jpg', { user: 'cam', password: 'p@ss:w/rd' }) }).grab(), 'not_found');
  });
});

describe('hls', () => {
  it('reads the newest segment of a live playlist served over HTTP', async () => {
    const hlsClip = makeClip({ source: media('video/video_road_cars_9s.mp4'), seconds: 6, width: 480, gop: 25 });
    const cam = await startCameraServer({ pictures: [media('street/road_cars_1s.jpg')], hlsClip });
    let src: Source | undefined;
    try {
      src = openSource({ cameraId: 'h', url: cam.url('/hls/index.m3u8'), inferenceLongSide: 240 });
      expect(src.kind).toBe('hls');
      const f = await src.grab();
      expect([f.width, f.height, f.pixels?.width, f.pixels?.height]).toEqual([480, 270, 240, 136]);
    } finally {
      await src?.close();
      await cam.stop();
    }
  });
});

describe('bad URLs', () => {
  it('refuses unsupported schemes and malformed URLs with field url', () => {
    for (const url of ['rtmp://cam/live', 'ftp://x/y.jpg', 'http://[::1', '']) {
      let err: unknown;
      try {
        openSource({ cameraId: 'b', url });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StreamError);
      expect((err as StreamError).field).toBe('url');
    }
  });
});
