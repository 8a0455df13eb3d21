import type { IncomingMessage } from 'node:http';
import { Readable, type Duplex } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import { WebSocketServer, type WebSocket } from 'ws';
import { log } from '../core/log.js';
import { cameraTarget, displayUrl } from './camera_url.js';
import { startFfmpeg } from './ffmpeg.js';
import { ffmpegNetworkInput } from './ffmpeg_input.js';
import { openHttpFeed } from './live_feed.js';
import { filePath } from './file_source.js';
import { checkLocalFile, pinTarget, type UrlPolicy } from './policy.js';
import { redactText, redactUrl } from './redact.js';
import { guessKind } from './source.js';

/**
 * Live view for operators: a camera relayed to browsers as MPEG-1 in MPEG-TS over WebSocket (what
 * JSMpeg plays), transcoded by one ffmpeg per camera, whatever the number of viewers; ffmpeg opens the
 * camera at the address the camera's URL policy pinned, with its protocols whitelisted. Started when the first viewer joins, stopped `lingerMs` after the last one leaves (so a page
 * reload keeps it), and capped at `maxRelays` cameras because each relay is a full decode + encode.
 *
 * Mount it on any Node HTTP server (Fastify: `app.server`):
 *   server.on('upgrade', (req, socket, head) => { const id = match(req.url); if (id) relays.handleUpgrade(req, socket, head, id); });
 */
export interface LiveCamera {
  url: string;
  username?: string;
  password?: string;
  transport?: 'tcp' | 'udp';
  /** The policy for this camera's origin (policyFor); omitted: any network, local files allowed. */
  policy?: UrlPolicy;
}

export interface LiveRelayOptions {
  /** Looks a camera up by id (undefined: no such camera). */
  resolve(cameraId: string): LiveCamera | undefined | Promise<LiveCamera | undefined>;
  maxRelays: number;
  /** Width of the relayed picture (never upscaled); height follows. */
  width: number;
  lingerMs: number;
  /** MPEG-1 bitrate in kbit/s. Default 1000. */
  bitrateK?: number;
  /** Until an HTTP camera (MJPEG, HLS) first answers weisu's own fetch. Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * A relay whose camera sends no video for this long (at start, or later) is stopped and its viewers told
   * why: a camera that stalls, trickles or loops in its handshake never holds a relay slot. Default 15 s.
   */
  noVideoTimeoutMs?: number;
}

export interface RelayStatus {
  cameraId: string;
  viewers: number;
  startedAt: number;
  bytes: number;
}

/** WebSocket close codes a viewer sees when refused (4xxx: application-defined). */
export const LIVE_CLOSE = { unknownCamera: 4404, unsupported: 4415, busy: 1013, sourceEnded: 1011, shuttingDown: 1001 } as const;

/** A viewer falling this far behind gets dropped instead of buffering without bound. */
const MAX_BUFFERED = 4 * 1024 * 1024;

interface Input {
  args: string[];
  url: string;
  /** For ffmpeg's stdin: an ffconcat list (an RTSP URL with credentials, out of argv), or the bytes of an HTTP camera weisu fetched. */
  stdin?: string | Readable;
  what: string;
  realtime: boolean;
}

interface Relay {
  cameraId: string;
  child: ChildProcess;
  viewers: Set<WebSocket>;
  startedAt: number;
  bytes: number;
  linger?: NodeJS.Timeout;
  watchdog?: NodeJS.Timeout;
}

export class LiveRelays {
  private readonly relays = new Map<string, Relay>();
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(private readonly o: LiveRelayOptions) {}

  /** Completes a WebSocket upgrade for `cameraId` and attaches the viewer. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cameraId: string): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.join(cameraId, ws));
  }

  /** Attaches an open WebSocket as a viewer of `cameraId`; refusals close it with a LIVE_CLOSE code and reason. */
  async join(cameraId: string, ws: WebSocket): Promise<void> {
    let relay = this.relays.get(cameraId);
    if (!relay) {
      const cam = await this.o.resolve(cameraId);
      if (ws.readyState !== ws.OPEN) return;
      if (!cam) return ws.close(LIVE_CLOSE.unknownCamera, 'no such camera');
      relay = this.relays.get(cameraId); // another viewer may have started it meanwhile
      if (!relay) {
        if (this.relays.size >= this.o.maxRelays) return ws.close(LIVE_CLOSE.busy, `live view is limited to ${this.o.maxRelays} cameras at once: try again later`);
        const input = await this.input(cam).catch((e: unknown) => e as Error);
        if (input instanceof Error) return ws.readyState === ws.OPEN ? ws.close(LIVE_CLOSE.unsupported, input.message.slice(0, 120)) : undefined;
        relay = this.relays.get(cameraId);
        // A feed opened for nothing (the viewer left, or another viewer started the relay meanwhile) is let go.
        if ((ws.readyState !== ws.OPEN || relay) && input.stdin instanceof Readable) input.stdin.destroy();
        if (ws.readyState !== ws.OPEN) return;
        relay ??= this.start(cameraId, input);
      }
    }
    clearTimeout(relay.linger);
    relay.linger = undefined;
    relay.viewers.add(ws);
    const r = relay;
    ws.on('close', () => this.leave(r, ws));
    ws.on('error', () => this.leave(r, ws));
  }

  status(): RelayStatus[] {
    return [...this.relays.values()].map((r) => ({ cameraId: r.cameraId, viewers: r.viewers.size, startedAt: r.startedAt, bytes: r.bytes }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.relays.values()].map((r) => this.stop(r, LIVE_CLOSE.shuttingDown, 'server shutting down')));
    this.wss.close();
  }

  /** How ffmpeg opens a camera: input options, the input (pinned, credentials in it) and the redacted URL for logs. */
  private async input(cam: LiveCamera): Promise<Input> {
    const target = cameraTarget(cam.url, cam.username, cam.password);
    const kind = guessKind(target);
    if (target.kind === 'file') {
      checkLocalFile(cam.policy ?? {});
      return { args: [], url: filePath(target.path), what: target.href, realtime: true };
    }
    if (kind === 'http_snapshot' && /\.(jpe?g|png)$/i.test(new URL(target.href).pathname)) throw new Error('a snapshot camera has no video to relay');
    const what = redactUrl(displayUrl(target));
    if (target.scheme === 'http' || target.scheme === 'https') {
      // weisu fetches HTTP cameras itself (MJPEG, HLS, other video): ffmpeg gets bytes, never the URL.
      const feed = await openHttpFeed(target, cam.policy ?? {}, what, this.o.connectTimeoutMs ?? 10_000);
      return { args: feed.args, url: 'pipe:0', stdin: feed.body, what, realtime: feed.realtime };
    }
    const net = ffmpegNetworkInput(target, await pinTarget(target, cam.policy ?? {}), [['rtsp_transport', cam.transport ?? 'tcp']]);
    return { args: net.args, url: net.input, stdin: net.stdin, what, realtime: false };
  }

  private start(cameraId: string, input: Input): Relay {
    const scale = `scale='min(${this.o.width},iw)':-2${input.realtime ? ',realtime' : ''}`;
    const run = startFfmpeg([
      '-hide_banner', '-nostdin', '-loglevel', 'error', ...input.args, '-i', input.url,
      '-f', 'mpegts', '-codec:v', 'mpeg1video', '-an', '-vf', scale, '-r', '25', '-bf', '0', '-b:v', `${this.o.bitrateK ?? 1000}k`, '-muxdelay', '0.001', '-',
    ], { stdin: input.stdin });
    const relay: Relay = { cameraId, child: run.child, viewers: new Set(), startedAt: Date.now(), bytes: 0 };
    this.relays.set(cameraId, relay);
    const lastError = () => redactText(run.stderr().trim().split('\n').at(-1) ?? '');
    const noVideoMs = this.o.noVideoTimeoutMs ?? 15_000;
    const watch = () => {
      clearTimeout(relay.watchdog);
      relay.watchdog = setTimeout(() => {
        const why = `camera sent no video for ${noVideoMs} ms${lastError() ? ` (${lastError()})` : ''}`;
        log.warn({ camera: cameraId, url: input.what, err: why }, 'live relay stalled');
        void this.stop(relay, LIVE_CLOSE.sourceEnded, why.slice(0, 120));
      }, noVideoMs);
    };
    watch();
    run.child.stdout!.on('data', (data: Buffer) => {
      watch();
      relay.bytes += data.length;
      for (const ws of relay.viewers) {
        if (ws.bufferedAmount > MAX_BUFFERED) ws.close(LIVE_CLOSE.busy, 'viewer too slow');
        else ws.send(data, { binary: true });
      }
    });
    run.child.once('close', (code) => {
      if (this.relays.get(cameraId) !== relay) return;
      this.relays.delete(cameraId);
      clearTimeout(relay.linger);
      clearTimeout(relay.watchdog);
      // What weisu's own feed met (a cap, a refused segment host) says more than ffmpeg's end of input.
      const why = run.inputError()?.message || lastError() || `ffmpeg exited with ${code}`;
      log.warn({ camera: cameraId, url: input.what, err: why }, 'live relay ended');
      for (const ws of relay.viewers) ws.close(LIVE_CLOSE.sourceEnded, `camera stream ended: ${why}`.slice(0, 120));
    });
    log.info({ camera: cameraId, url: input.what }, 'live relay started');
    return relay;
  }

  private leave(relay: Relay, ws: WebSocket): void {
    if (!relay.viewers.delete(ws) || relay.viewers.size > 0 || this.relays.get(relay.cameraId) !== relay) return;
    relay.linger = setTimeout(() => void this.stop(relay, LIVE_CLOSE.shuttingDown, 'no viewers'), this.o.lingerMs);
  }

  private async stop(relay: Relay, code: number, reason: string): Promise<void> {
    clearTimeout(relay.linger);
    clearTimeout(relay.watchdog);
    this.relays.delete(relay.cameraId);
    for (const ws of relay.viewers) ws.close(code, reason);
    const child = relay.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('close', () => r()));
    child.kill('SIGKILL');
    await gone;
    log.info({ camera: relay.cameraId }, 'live relay stopped');
  }
}
