import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { startRtspServer, type RtspServer } from './rtsp.js';
import { OnvifService, type PtzDevice, type PtzPreset } from './virtual_ptz_onvif.js';
import { PtzMotion, type PtzPosition } from './virtual_ptz_motion.js';

/**
 * A virtual PTZ dome for tests, all real protocols on loopback: an ONVIF service (SOAP 1.2 over HTTP,
 * `virtual_ptz_onvif.ts`) and an RTSP/H.264 stream (GStreamer's server, `rtsp_server.py`'s raw mount) whose
 * picture is the crop of a large real picture for the head's current pan, tilt and zoom. The head moves at a
 * finite speed (`virtual_ptz_motion.ts`), so a sample taken while it travels shows a view between presets.
 *
 *   const cam = await startVirtualPtz({ picture: media('street/street_timessquare.png'), user, password, presets });
 *   cam.onvifUrl   // http://127.0.0.1:P/onvif/device_service
 *   cam.rtspUrl    // rtsp://127.0.0.1:Q/ptz
 *   cam.lens('covered' | 'defocused' | 'clear');  cam.operatorMove({ pan, tilt, zoom });  await cam.stop();
 */
export interface RawPicture {
  data: Buffer;
  width: number;
  height: number;
}

export interface VirtualPtzOptions {
  /** Path of a large real picture, or one already decoded to RGB (e.g. with cars composed on it). */
  picture: string | RawPicture;
  user: string;
  password: string;
  presets: PtzPreset[];
  /** Where the head starts (default: the first preset). */
  start?: PtzPosition;
  /** The stream's picture (default 640×360 at 5 fps, a keyframe every second). */
  width?: number;
  height?: number;
  fps?: number;
  /** The camera's clock minus the test's (ms): a client must read it before signing its requests. */
  clockOffsetMs?: number;
  speed?: PtzPosition;
}

export type Lens = 'clear' | 'covered' | 'defocused';

export interface VirtualPtz {
  onvifUrl: string;
  rtspUrl: string;
  device: PtzDevice;
  /** Plays a clear, covered (a bag over the dome) or defocused lens from the next frame on. */
  lens(mode: Lens): void;
  /** Replaces the big picture (e.g. a car arrives). */
  setPicture(p: RawPicture): void;
  /** The head moved by someone else (an operator's joystick): what weisu must notice and yield to. */
  operatorMove(p: PtzPosition): void;
  /** Frames rendered so far (tests wait for the first). */
  frames(): number;
  stop(): Promise<void>;
}

/** The part of a W×H picture the head shows at `p`: zoom 0 is the widest view, zoom 1 a quarter of its width. */
export function cropFor(p: PtzPosition, picture: { width: number; height: number }, aspect: number): { left: number; top: number; width: number; height: number } {
  const widest = Math.min(picture.width, picture.height * aspect);
  const width = Math.max(16, Math.round(widest * (1 - 0.75 * p.zoom)));
  const height = Math.max(9, Math.round(width / aspect));
  const left = Math.round(((p.pan + 1) / 2) * (picture.width - width));
  const top = Math.round(((1 - p.tilt) / 2) * (picture.height - height));
  return { left, top, width, height };
}

export async function decodePicture(path: string): Promise<RawPicture> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export async function startVirtualPtz(o: VirtualPtzOptions): Promise<VirtualPtz> {
  const [width, height, fps] = [o.width ?? 640, o.height ?? 360, o.fps ?? 5];
  let picture = typeof o.picture === 'string' ? await decodePicture(o.picture) : o.picture;
  const offset = o.clockOffsetMs ?? 0;
  const now = () => Date.now() + offset;
  const motion = new PtzMotion(o.start ?? o.presets[0]?.position ?? { pan: 0, tilt: 0, zoom: 0 }, now(), o.speed);
  let lens: Lens = 'clear';
  const covered = Buffer.alloc(width * height * 3, 24);

  const rtsp: RtspServer = await startRtspServer({ mounts: [{ path: '/ptz', raw: { width, height, fps }, keyInt: fps, bitrate: 1500 }] });
  const device: PtzDevice = {
    user: o.user,
    password: o.password,
    presets: o.presets,
    now,
    rtspUrl: rtsp.url('/ptz'),
    position: () => motion.position(now()),
    moving: () => motion.moving(now()),
    moveTo: (p, speed) => motion.moveTo(p, now(), speed),
    moveAt: (v, forMs) => motion.moveAt(v, now(), now() + forMs),
    stop: () => motion.stop(now()),
    calls: [],
  };

  let rendered = 0;
  let busy = false;
  const render = async () => {
    if (busy) return;
    busy = true;
    try {
      let frame = covered;
      if (lens !== 'covered') {
        const crop = cropFor(motion.position(now()), picture, width / height);
        let img = sharp(picture.data, { raw: { width: picture.width, height: picture.height, channels: 3 } }).extract(crop).resize(width, height, { fit: 'fill' });
        if (lens === 'defocused') img = img.blur(6);
        frame = await img.raw().toBuffer();
      }
      if (rtsp.feed(frame)) rendered++;
    } finally {
      busy = false;
    }
  };
  await render();
  const ticker = setInterval(() => void render().catch(() => undefined), 1000 / fps);

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 256 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const reply = service.handle(req.url ?? '', Buffer.concat(chunks).toString('utf8'));
      res.writeHead(reply.status, { 'content-type': 'application/soap+xml; charset=utf-8' }).end(reply.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const service = new OnvifService(device, base);

  return {
    onvifUrl: `${base}/onvif/device_service`,
    rtspUrl: device.rtspUrl,
    device,
    lens: (m) => (lens = m),
    setPicture: (p) => (picture = p),
    operatorMove: (p) => motion.moveTo(p, now()),
    frames: () => rendered,
    stop: async () => {
      clearInterval(ticker);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await rtsp.stop();
    },
  };
}
