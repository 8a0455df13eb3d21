import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProbe, probeCamera } from '../../streams/probe.js';
import { media } from '../support/paths.js';
import { makeClip, startRtspServer, type RtspServer } from '../support/rtsp.js';
import { startCameraServer } from '../support/camera_servers.js';

describe('probeCamera', () => {
  const clip = makeClip({ source: media('video/video_road_cars_9s.mp4'), seconds: 5, width: 640, fps: 25, gop: 25 });
  let rtsp: RtspServer;
  beforeAll(async () => {
    rtsp = await startRtspServer({ mounts: [{ path: '/cam', file: clip }] });
  });
  afterAll(() => rtsp.stop());

  it('measures codec, size, fps, keyframe interval and latency of an RTSP camera', async () => {
    const r = await probeCamera({ cameraId: 'p', url: rtsp.url('/cam'), packetWindowMs: 3000 });
    expect(r).toMatchObject({ kind: 'rtsp', codec: 'h264', width: 640, height: 360, fps: 25, keyframeIntervalMs: 1000 });
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(r.frame.jpeg.length).toBeGreaterThan(1000);
    const text = formatProbe(r);
    expect(text).toMatch(/^kind\s+rtsp$/m);
    expect(text).toMatch(/^resolution\s+640x360$/m);
    expect(text).toMatch(/^keyframes\s+every 1000 ms$/m);
  });

  it('probes files and snapshot cameras, saying what cannot be measured', async () => {
    const file = await probeCamera({ cameraId: 'f', url: makeClip({ source: media('video/video_road_cars_9s.mp4'), seconds: 5, width: 320, fps: 10, gop: 20 }) });
    expect(file).toMatchObject({ kind: 'file', codec: 'h264', width: 320, fps: 10, keyframeIntervalMs: 2000 });
    const cam = await startCameraServer({ pictures: [media('street/road_cars_1s.jpg')] });
    try {
      const snap = await probeCamera({ cameraId: 's', url: cam.url('/snapshot.jpg') });
      expect(snap).toMatchObject({ kind: 'http_snapshot', width: 1280, height: 720, codec: 'jpeg' });
      expect(formatProbe(snap)).toMatch(/note: snapshot camera/);
    } finally {
      await cam.stop();
    }
  });
});
