import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { media } from '../support/paths.js';
import { auth, cameraBody, startApi, type Harness } from './harness.js';

/** The live view through the API's server: a signed live_url per reader, refused when forged or stale. */
describe('live view', () => {
  let h: Harness;
  let base: string;

  beforeAll(async () => {
    h = await startApi('pglite', { configYaml: 'public_url: http://127.0.0.1:8080\nstreams: { allow_local_from_api: true, live: { max_relays: 1, linger: 100ms, width: 320 } }\n' });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `ws://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(h.tokens.admin), payload: cameraBody('live-cam', { url: media('video/video_road_cars_9s.mp4'), username: undefined, password: undefined }) });
    expect(res.statusCode, res.body).toBe(201);
  });
  afterAll(async () => h?.close());

  async function liveUrl(): Promise<string> {
    const cam = (await h.app.inject({ method: 'GET', url: '/api/v1/cameras/live-cam', headers: auth(h.tokens.viewer) })).json();
    expect(cam.live_url).toMatch(/^\/live\/live-cam\?exp=\d+&sig=[0-9a-f]{64}$/);
    return cam.live_url as string;
  }

  it('streams MPEG-TS to a viewer holding a fresh live_url', async () => {
    const ws = new WebSocket(base + (await liveUrl()));
    const first = await new Promise<Buffer>((resolve, reject) => {
      ws.once('message', (d) => resolve(d as Buffer));
      ws.once('error', reject);
      ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason}`)));
      setTimeout(() => reject(new Error('no video within 20 s')), 20_000);
    });
    ws.close();
    expect(first[0]).toBe(0x47); // MPEG-TS sync byte
  });

  it('refuses forged, altered and expired URLs', async () => {
    const good = await liveUrl();
    const forged = good.replace(/sig=[0-9a-f]{4}/, 'sig=0000');
    const otherCamera = good.replace('/live/live-cam', '/live/other-cam');
    const expired = good.replace(/exp=\d+/, 'exp=1000');
    for (const path of [forged, otherCamera, expired, '/live/live-cam', '/elsewhere']) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(base + path);
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => resolve(101));
        ws.once('error', () => resolve(-1));
      });
      expect(status, path).toBe(403);
    }
  });
});
