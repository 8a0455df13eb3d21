import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { WeisuConfig } from '../config/schema.js';
import { getCamera } from '../store/cameras.js';
import type { Db } from '../store/db.js';
import { LiveRelays } from '../streams/live.js';
import { policyFor } from '../streams/policy.js';

/**
 * Live view: streams' relays (RTSP → MPEG-1 over WebSocket for JSMpeg) mounted at
 * `/live/{cameraId}?exp=&sig=`. A browser cannot send a Bearer header with a WebSocket, so the API
 * hands each reader of a camera a short-lived signed URL (`live_url`) instead; the key lives in this
 * process only, so URLs die with it.
 */
const TTL_MS = 10 * 60_000;
const PATH = /^\/live\/([a-z0-9-]{1,64})\?exp=(\d{1,12})&sig=([0-9a-f]{64})$/;

export class LiveView {
  private readonly key = randomBytes(32);
  readonly relays: LiveRelays;

  constructor(db: Db, config: WeisuConfig) {
    const live = config.streams.live;
    this.relays = new LiveRelays({
      resolve: async (id) => {
        const s = await getCamera(db, id);
        return s && { ...s.camera, policy: policyFor(config.streams, s.managedBy) };
      },
      maxRelays: live.max_relays,
      width: live.width,
      lingerMs: live.linger,
      connectTimeoutMs: config.streams.connect_timeout,
    });
  }

  private sign(cameraId: string, exp: number): string {
    return createHmac('sha256', this.key).update(`live:${cameraId}:${exp}`).digest('hex');
  }

  /** A URL for the console's player, valid for ten minutes from `now`. */
  url(cameraId: string, now = Date.now()): string {
    const exp = Math.floor((now + TTL_MS) / 1000);
    return `/live/${cameraId}?exp=${exp}&sig=${this.sign(cameraId, exp)}`;
  }

  /** The camera a request URL grants, or undefined when it is malformed, forged or expired. */
  grant(requestUrl: string, now = Date.now()): string | undefined {
    const m = PATH.exec(requestUrl);
    if (!m) return undefined;
    const [, cameraId, exp, sig] = m;
    const ok = timingSafeEqual(Buffer.from(this.sign(cameraId!, Number(exp)), 'hex'), Buffer.from(sig!, 'hex'));
    return ok && Number(exp) * 1000 >= now ? cameraId : undefined;
  }

  /** Answers WebSocket upgrades on the app's server; anything else asking to upgrade gets 403. */
  mount(app: FastifyInstance): void {
    app.server.on('upgrade', (req, socket, head) => {
      const cameraId = this.grant(req.url ?? '');
      if (!cameraId) {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nlive view needs a fresh live_url from GET /api/v1/cameras/{id}\n');
        return;
      }
      this.relays.handleUpgrade(req, socket, head, cameraId);
    });
    app.addHook('onClose', () => this.relays.close());
  }
}
