import { execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { backoffMs, DEFAULT_BACKOFF, nextHealth, type CameraHealth } from '../../streams/health.js';
import { openSource, StreamError, type SourceOptions } from '../../streams/source.js';
import { residentFfmpegCount, runningFfmpegCount } from '../../streams/ffmpeg.js';
import { media } from '../support/paths.js';
import { makeClip, startRtspServer } from '../support/rtsp.js';
import { startCameraServer, startTcpFaultServer, type CameraServer } from '../support/camera_servers.js';

/** ffmpeg processes that are children of this test process, as the OS sees them. */
function psChildren(except?: number): number {
  try {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([pid, comm]) => comm === 'ffmpeg' && Number(pid) !== except).length;
  } catch {
    return 0; // ps exits 1 when there are no children at all
  }
}

/** Grabs once and folds the outcome into health, as the sampling worker does. */
async function sample(opts: SourceOptions, prev: CameraHealth | undefined, at: number): Promise<CameraHealth> {
  const src = openSource({ connectTimeoutMs: 1500, frameTimeoutMs: 4000, ...opts });
  try {
    const frame = await src.grab();
    return nextHealth(prev, { ok: true, at, frame, codec: src.lastGrab?.codec }, () => 0.5);
  } catch (error) {
    expect(error).toBeInstanceOf(StreamError);
    return nextHealth(prev, { ok: false, at, error }, () => 0.5);
  } finally {
    await src.close();
  }
}

describe('nextHealth (pure)', () => {
  const frame = { cameraId: 'c', ts: 1000, width: 1920, height: 1080, jpeg: Buffer.alloc(0) };

  it('backs off exponentially with jitter, capped, and goes offline after repeated failures', () => {
    let h: CameraHealth | undefined;
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      h = nextHealth(h, { ok: false, at: 0, error: new StreamError('unreachable', 'rtsp://u:pw@cam/x: Connection refused') }, () => 0.5);
      delays.push(h.retryAt!);
    }
    expect(delays.slice(0, 4)).toEqual([5000, 10000, 20000, 40000]);
    expect(delays.at(-1)).toBe(DEFAULT_BACKOFF.maxMs);
    expect(h!.state).toBe('offline');
    expect(h!.consecutiveFailures).toBe(9);
    expect(h!.lastError).toContain('rtsp://u:***@cam/x');
    expect(h!.lastError).not.toContain('pw');
    // Jitter spreads cameras failing together.
    expect(backoffMs(3, DEFAULT_BACKOFF, () => 0)).toBe(16000);
    expect(backoffMs(3, DEFAULT_BACKOFF, () => 1)).toBe(24000);
  });

  it('is degraded before offline, and one frame makes it online again with size and codec', () => {
    const h1 = nextHealth(undefined, { ok: false, at: 10, error: new StreamError('no_frame', 'x') }, () => 0.5);
    expect(h1.state).toBe('degraded');
    expect(h1.failingSince).toBe(10);
    const h2 = nextHealth(h1, { ok: false, at: 20, error: new StreamError('no_frame', 'x') }, () => 0.5);
    expect(h2.failingSince).toBe(10);
    const ok = nextHealth(h2, { ok: true, at: 30, frame, codec: 'h264' });
    expect(ok).toMatchObject({ state: 'online', consecutiveFailures: 0, lastFrameAt: 1000, width: 1920, height: 1080, codec: 'h264' });
    expect(ok.retryAt).toBeUndefined();
    expect(ok.lastError).toBeUndefined();
  });

  it('maps credentials and non-camera answers to their own states, retried slowly', () => {
    const auth = nextHealth(undefined, { ok: false, at: 0, error: new StreamError('auth_failed', 'x') }, () => 0.5);
    expect(auth.state).toBe('auth_failed');
    expect(auth.retryAt).toBe(60_000);
    expect(nextHealth(undefined, { ok: false, at: 0, error: new StreamError('bad_data', 'x') }).state).toBe('unsupported');
    expect(nextHealth(undefined, { ok: false, at: 0, error: new StreamError('unsupported', 'x') }).state).toBe('unsupported');
    // Our own cancellation says nothing about the camera.
    expect(nextHealth(auth, { ok: false, at: 5, error: new StreamError('aborted', 'x') })).toBe(auth);
  });
});

describe('faults against real servers end in the right state and recover', () => {
  const clip = makeClip({ source: media('video/video_road_cars_9s.mp4'), seconds: 4, width: 320, gop: 25 });
  let http: CameraServer;
  beforeAll(async () => {
    http = await startCameraServer({ pictures: [media('street/road_cars_1s.jpg')], auth: { user: 'cam', password: 'right', method: 'digest' } });
  });
  afterAll(() => http.stop());

  it('RTSP server absent at start: degraded, then offline; online once it starts on that port', async () => {
    const first = await startRtspServer({ mounts: [{ path: '/cam', file: clip }] });
    const port = first.port;
    const url = first.url('/cam');
    await first.stop();
    let h: CameraHealth | undefined;
    for (let i = 0; i < 3; i++) h = await sample({ cameraId: 'a', url }, h, i);
    expect(h).toMatchObject({ state: 'offline', reason: 'unreachable', consecutiveFailures: 3 });
    const back = await startRtspServer({ mounts: [{ path: '/cam', file: clip }], port });
    try {
      h = await sample({ cameraId: 'a', url }, h, 3);
      expect(h).toMatchObject({ state: 'online', consecutiveFailures: 0, width: 320, height: 180, codec: 'h264' });
    } finally {
      await back.stop();
    }
    expect(runningFfmpegCount()).toBe(0);
  });

  it('RTSP server killed mid-stream: the waiting grab fails as disconnected (not by timeout), no ffmpeg left, recovers after restart', async () => {
    // A live camera with a 10 s GOP that another client (an NVR) keeps streaming: a new client waits for
    // the next keyframe, and the server dies meanwhile.
    const mount = { path: '/live', file: clip, live: true, keyInt: 250, bitrate: 256 };
    const rtsp = await startRtspServer({ mounts: [mount] });
    const url = rtsp.url('/live');
    let h = await sample({ cameraId: 'k', url }, undefined, 0);
    expect(h.state).toBe('online');
    const nvr = spawn('ffmpeg', ['-loglevel', 'quiet', '-rtsp_transport', 'tcp', '-i', url, '-c', 'copy', '-f', 'null', '-'], { stdio: 'ignore' });
    onTestFinished(() => void nvr.kill('SIGKILL'));
    await new Promise((r) => setTimeout(r, 1500));
    const src = openSource({ cameraId: 'k', url, connectTimeoutMs: 3000, frameTimeoutMs: 20_000 });
    const pending = src.grab().then(
      () => 'frame',
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 800));
    await rtsp.stop();
    const err = await pending;
    expect(err).toBeInstanceOf(StreamError);
    // Failed because the server went away, not by outwaiting the 20 s frame timeout.
    expect((err as StreamError).reason).toBe('disconnected');
    expect(runningFfmpegCount()).toBe(0);
    expect(psChildren(nvr.pid)).toBe(residentFfmpegCount());
    h = nextHealth(h, { ok: false, at: 1, error: err }, () => 0.5);
    expect(h.state).toBe('degraded');
    const again = await startRtspServer({ mounts: [mount], port: rtsp.port });
    try {
      h = await sample({ cameraId: 'k', url }, h, 2);
      expect(h.state).toBe('online');
    } finally {
      await again.stop();
    }
  });

  it('a server that accepts but sends nothing: connect_timeout, ffmpeg killed', async () => {
    const silent = await startTcpFaultServer('silent');
    try {
      let h: CameraHealth | undefined;
      h = await sample({ cameraId: 's', url: `rtsp://127.0.0.1:${silent.port}/cam` }, h, 0);
      expect(h).toMatchObject({ state: 'degraded', reason: 'connect_timeout' });
      h = await sample({ cameraId: 's', url: `http://127.0.0.1:${silent.port}/snapshot.jpg` }, h, 1);
      expect(h).toMatchObject({ reason: 'connect_timeout', consecutiveFailures: 2 });
      expect(runningFfmpegCount()).toBe(0);
      expect(psChildren()).toBe(residentFfmpegCount());
    } finally {
      await silent.stop();
    }
  });

  it('garbage bytes: unsupported with a clear message, for RTSP and HTTP', async () => {
    const junk = await startTcpFaultServer('garbage');
    try {
      for (const url of [`rtsp://127.0.0.1:${junk.port}/cam`, `http://127.0.0.1:${junk.port}/snapshot.jpg`]) {
        const h = await sample({ cameraId: 'g', url }, undefined, 0);
        expect(h.state, `${url}: ${h.lastError}`).toBe('unsupported');
        expect(h.lastError).toBeTruthy();
      }
    } finally {
      await junk.stop();
    }
    expect(runningFfmpegCount()).toBe(0);
  });

  it('wrong credentials: auth_failed; right ones after the fix: online', async () => {
    let h = await sample({ cameraId: 'w', url: http.url('/snapshot.jpg'), username: 'cam', password: 'wrong' }, undefined, 0);
    expect(h.state).toBe('auth_failed');
    expect(h.lastError).not.toContain('wrong');
    h = await sample({ cameraId: 'w', url: http.url('/snapshot.jpg'), username: 'cam', password: 'right' }, h, 1);
    expect(h.state).toBe('online');
  });

  it('a URL that is not a camera, and a camera answering with a broken picture: unsupported', async () => {
    const page = await sample({ cameraId: 'p', url: http.url('/page.html', { user: 'cam', password: 'right' }) }, undefined, 0);
    expect(page).toMatchObject({ state: 'unsupported', reason: 'unsupported' });
    http.fault = 'bad_body';
    try {
      const bad = await sample({ cameraId: 'p', url: http.url('/snapshot.jpg', { user: 'cam', password: 'right' }) }, undefined, 0);
      expect(bad).toMatchObject({ state: 'unsupported', reason: 'bad_data' });
    } finally {
      http.fault = 'none';
    }
  });

  it('an MJPEG camera that stalls after its headers: no_frame (the frame timeout fired)', async () => {
    http.fault = 'stall';
    try {
      const h = await sample({ cameraId: 'm', url: http.url('/mjpeg', { user: 'cam', password: 'right' }), frameTimeoutMs: 1000 }, undefined, 0);
      expect(h).toMatchObject({ state: 'degraded', reason: 'no_frame' });
    } finally {
      http.fault = 'none';
    }
  });
});
