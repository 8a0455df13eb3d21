import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LiveRelays, LIVE_CLOSE, type LiveCamera } from '../../streams/live.js';
import { runningFfmpegCount } from '../../streams/ffmpeg.js';
import { media } from '../support/paths.js';
import { serveLiveRelays } from '../support/live_server.js';
import { makeClip, startRtspServer, type RtspServer } from '../support/rtsp.js';

interface Viewer {
  ws: WebSocket;
  bytes: () => Buffer;
  closed: Promise<{ code: number; reason: string }>;
}

function view(port: number, cameraId: string): Viewer {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/live/${cameraId}`);
  const parts: Buffer[] = [];
  ws.on('message', (d: Buffer) => parts.push(d));
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  return { ws, bytes: () => Buffer.concat(parts), closed };
}

async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('LiveRelays (MPEG-1 over WebSocket)', () => {
  const clip = makeClip({ source: media('video/video_road_cars_9s.mp4'), seconds: 4, width: 320, gop: 25 });
  let rtsp: RtspServer;
  let server: Server;
  let relays: LiveRelays;
  let port: number;
  beforeAll(async () => {
    rtsp = await startRtspServer({ mounts: [{ path: '/a', file: clip, live: true, bitrate: 256 }, { path: '/b', file: clip, live: true, bitrate: 256 }] });
    const cameras: Record<string, LiveCamera> = {
      a: { url: rtsp.url('/a'), username: 'viewer', password: 'hush-hush' },
      b: { url: rtsp.url('/b') },
      snap: { url: 'http://127.0.0.1:1/snapshot.jpg' },
    };
    relays = new LiveRelays({ resolve: (id) => cameras[id], maxRelays: 1, width: 320, lingerMs: 300 });
    ({ server, port } = await serveLiveRelays(relays));
  });
  afterAll(async () => {
    await relays.close();
    await new Promise((r) => server.close(r));
    await rtsp.stop();
  });

  it('relays one camera to two viewers with one ffmpeg, and stops after the last leaves', async () => {
    const v1 = view(port, 'a');
    const v2 = view(port, 'a');
    await until(() => v1.bytes().length > 188 * 20 && v2.bytes().length > 188 * 20);
    // MPEG-TS: 188-byte packets starting with the sync byte.
    const ts = v1.bytes();
    expect(ts[0]).toBe(0x47);
    expect(ts[188]).toBe(0x47);
    expect(relays.status()).toEqual([expect.objectContaining({ cameraId: 'a', viewers: 2 })]);
    expect(runningFfmpegCount()).toBe(1);

    // The cap: a second camera is refused while one is relayed.
    const other = view(port, 'b');
    expect(await other.closed).toMatchObject({ code: LIVE_CLOSE.busy });

    v1.ws.close();
    await v1.closed;
    expect(relays.status()[0]!.viewers).toBe(1);
    v2.ws.close();
    await v2.closed;
    // Lingers briefly (a page reload keeps the stream), then stops.
    expect(relays.status()).toHaveLength(1);
    await until(() => relays.status().length === 0 && runningFfmpegCount() === 0);

    // Now the other camera fits.
    const b = view(port, 'b');
    await until(() => b.bytes().length > 188 * 10);
    b.ws.close();
    await until(() => runningFfmpegCount() === 0);
  });

  it('refuses unknown cameras and snapshot cameras with a reason', async () => {
    expect(await view(port, 'nope').closed).toMatchObject({ code: LIVE_CLOSE.unknownCamera });
    const snap = await view(port, 'snap').closed;
    expect(snap.code).toBe(LIVE_CLOSE.unsupported);
    expect(snap.reason).toMatch(/snapshot/);
  });
});
