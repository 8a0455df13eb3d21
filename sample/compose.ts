import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp, { type OverlayOptions } from 'sharp';
import type { BBox } from '../core/types.js';
import { startFfmpeg } from '../streams/ffmpeg.js';
import { mediaFile } from './media.js';

/**
 * Scenario videos (the sample camera of `npm start`, the rules' tests and the eval): real vehicles cut from real photographs, moved over a real empty street
 * over time (arriving, parking, leaving, driving through, hidden by a passing bus), with camera jitter and
 * light drifting, encoded to H.264 by ffmpeg in a temp dir. What the rules see comes from the real
 * detector on these videos, so a scenario tests the whole path, not a hand-made list of boxes.
 *
 * The street is the road of video/video_road_cars_9s.mp4 with its traffic removed by a temporal median
 * (ffmpeg's tmedian): a real background with no vehicle standing on it.
 */

/** A vehicle (or any occluder) cut out of a real photo by its box (from the detector, or by hand). */
export interface SpriteSource {
  image: string;
  box: BBox;
}

/** Boxes found by YOLOX-nano in these pictures (scores 0.86–0.91), cut with them. */
export const SPRITES = {
  redCar: { image: 'street/road_cars_1s.jpg', box: [590, 499, 820, 691] },
  whiteCar: { image: 'street/road_cars_1s.jpg', box: [903, 397, 1127, 569] },
  greyCar: { image: 'street/road_cars_4s.jpg', box: [514, 455, 740, 659] },
  silverCar: { image: 'street/road_cars_4s.jpg', box: [1025, 500, 1276, 715] },
  bus: { image: 'street/street_bus.jpg', box: [8, 231, 807, 736] },
  person: { image: 'street/street_bus.jpg', box: [50, 392, 214, 900] },
} satisfies Record<string, SpriteSource>;

export type SpriteName = keyof typeof SPRITES;

/** Where an actor is at time `t` (seconds of media): bottom-centre and width, in fractions of the frame. */
export interface Waypoint {
  t: number;
  x: number;
  y: number;
  w: number;
}

export interface Actor {
  sprite: SpriteName | SpriteSource;
  /** Linear between waypoints; the actor is in the picture from the first waypoint's time to the last's. */
  path: Waypoint[];
  /** Random displacement per frame, in pixels (camera shake, detector-like box wobble). */
  jitter?: number;
  flip?: boolean;
}

export interface Scenario {
  name: string;
  durationS: number;
  /** Video frame rate; the rules sample once per second of media, so 2 fps is plenty. */
  fps?: number;
  width?: number;
  /** Drawn in order: later actors are in front. */
  actors: Actor[];
  /** Overall light (1 = as photographed) over time: dusk, a cloud. Linear between points. */
  light?: { t: number; v: number }[];
  /** Mirror the street (a second, different-looking scene from the same footage). */
  mirror?: boolean;
  /** From this media time on the camera sends greyscale pictures (its IR night mode). */
  greyscaleFrom?: number;
  /** JPEG quality of each picture (default 90): lower is a camera's coarse compression. */
  quality?: number;
  seed?: number;
}

async function ffmpeg(args: string[]): Promise<void> {
  const run = startFfmpeg(['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args]);
  const exit = await run.exited;
  if (exit.missing) throw exit.missing;
  if (exit.code !== 0) throw new Error(`ffmpeg failed (${exit.code}): ${run.stderr()}`);
}

let background: Promise<Buffer> | undefined;

/** The empty street, 1280×720 PNG: per-pixel temporal median of the traffic video (computed once per process). */
export function emptyStreet(): Promise<Buffer> {
  background ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weisu-street-'));
    try {
      const out = join(dir, 'street_median.png');
      // 36 frames at 4 fps over the 9 s: every car moves on within them, the road stays.
      await ffmpeg(['-i', mediaFile('video/video_road_cars_9s.mp4'), '-vf', 'fps=4,tmedian=radius=17', '-frames:v', '1', out]);
      return await sharp(out).png().toBuffer();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return background;
}

const sprites = new Map<string, Promise<{ data: Buffer; width: number; height: number }>>();

function loadSprite(src: SpriteSource) {
  const key = `${src.image}:${src.box.join(',')}`;
  let s = sprites.get(key);
  if (!s) {
    const [x1, y1, x2, y2] = src.box.map(Math.round) as BBox;
    s = sharp(mediaFile(src.image))
      .extract({ left: x1, top: y1, width: x2 - x1, height: y2 - y1 })
      .removeAlpha()
      .png()
      .toBuffer({ resolveWithObject: true })
      .then(({ data, info }) => ({ data, width: info.width, height: info.height }));
    sprites.set(key, s);
  }
  return s;
}

/** Deterministic PRNG (mulberry32): the same scenario renders the same video. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function lerp<T extends { t: number }>(points: T[], t: number, pick: (p: T) => number[]): number[] | undefined {
  if (!points.length || t < points[0]!.t || t > points[points.length - 1]!.t) return undefined;
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    if (t <= b.t) {
      const k = b.t > a.t ? (t - a.t) / (b.t - a.t) : 1;
      const va = pick(a);
      const vb = pick(b);
      return va.map((v, j) => v + (vb[j]! - v) * k);
    }
  }
  return pick(points[points.length - 1]!);
}

/** Where each visible actor is drawn at time t: its box in pixels (for checks and debugging). */
export function actorBoxes(s: Scenario, t: number, size: { width: number; height: number }, aspect: (a: Actor) => number): (BBox | undefined)[] {
  return s.actors.map((a) => {
    const p = lerp(a.path, t, (w) => [w.x, w.y, w.w]);
    if (!p) return undefined;
    const [x, y, w] = p as [number, number, number];
    const pw = w * size.width;
    const ph = pw * aspect(a);
    return [x * size.width - pw / 2, y * size.height - ph, x * size.width + pw / 2, y * size.height];
  });
}

/** What a scenario's pictures are composed from: the street and each actor's sprite, loaded once. */
export interface ScenarioCanvas {
  width: number;
  height: number;
  background: Buffer;
  sprites: { data: Buffer; width: number; height: number }[];
  rand: () => number;
}

export async function scenarioCanvas(s: Scenario): Promise<ScenarioCanvas> {
  const width = s.width ?? 960;
  const height = Math.round((width * 9) / 16 / 2) * 2;
  let street = sharp(await emptyStreet()).resize(width, height);
  if (s.mirror) street = street.flop();
  const background = await street.removeAlpha().raw().toBuffer();
  const sprites = await Promise.all(s.actors.map((a) => loadSprite(typeof a.sprite === 'string' ? SPRITES[a.sprite] : a.sprite)));
  return { width, height, background, sprites, rand: prng(s.seed ?? 1) };
}

/** Rec. 601 luma in each of R, G and B. */
const Y: [number, number, number] = [0.299, 0.587, 0.114];
const LUMA: [[number, number, number], [number, number, number], [number, number, number]] = [Y, Y, Y];

/**
 * The scenario's picture at media time `t` as a camera would send it: actors over the street, light,
 * the switch to greyscale (an IR camera at night) and JPEG compression at `quality`. Pictures of one
 * canvas must be asked for in time order (the jitter is drawn from one seeded sequence).
 */
export async function renderFrame(s: Scenario, c: ScenarioCanvas, t: number): Promise<Buffer> {
  const { width, height, rand } = c;
  const boxes = actorBoxes(s, t, { width, height }, (a) => {
    const src = c.sprites[s.actors.indexOf(a)]!;
    return src.height / src.width;
  });
  const layers: OverlayOptions[] = [];
  for (const [i, box] of boxes.entries()) {
    const jitter = s.actors[i]!.jitter ?? 0;
    const dx = (rand() * 2 - 1) * jitter;
    const dy = (rand() * 2 - 1) * jitter;
    if (!box) continue;
    const [x1, y1, x2, y2] = box;
    const w = Math.max(2, Math.round(x2 - x1));
    const h = Math.max(2, Math.round(y2 - y1));
    const left = Math.round(x1 + dx);
    const top = Math.round(y1 + dy);
    // Keep the visible part only: sharp refuses overlays that stick out of the picture.
    const cl = Math.max(0, -left);
    const ct = Math.max(0, -top);
    const cw = Math.min(w, width - left) - cl;
    const ch = Math.min(h, height - top) - ct;
    if (cw <= 0 || ch <= 0) continue;
    let img = sharp(c.sprites[i]!.data).resize(w, h, { fit: 'fill' });
    if (s.actors[i]!.flip) img = img.flop();
    const input = await img.extract({ left: cl, top: ct, width: cw, height: ch }).raw().toBuffer();
    layers.push({ input, raw: { width: cw, height: ch, channels: 3 }, left: left + cl, top: top + ct });
  }
  let pic = sharp(c.background, { raw: { width, height, channels: 3 } }).composite(layers);
  const light = s.light ? lerp(s.light, Math.min(t, s.light[s.light.length - 1]!.t), (p) => [p.v])?.[0] ?? 1 : 1;
  const grey = s.greyscaleFrom !== undefined && t >= s.greyscaleFrom;
  // sharp applies linear() before composite() in one pipeline: dim the composed picture in a second one.
  if (light !== 1 || grey) {
    const { data, info } = await pic.raw().toBuffer({ resolveWithObject: true });
    pic = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).removeAlpha().linear(light, 0);
    // An IR camera's night picture: one channel, sent as a colour JPEG (R = G = B), as cameras do.
    if (grey) pic = sharp(await pic.raw().toBuffer(), { raw: { width: info.width, height: info.height, channels: 3 } }).recomb(LUMA);
  }
  return pic.jpeg({ quality: s.quality ?? 90 }).toBuffer();
}

/** Renders the scenario to an H.264 MP4 `<dir>/<name>.mp4` and returns its path; `onFrame` follows the composing. */
export async function buildScenario(s: Scenario, dir: string, onFrame?: (done: number, total: number) => void): Promise<string> {
  const fps = s.fps ?? 2;
  const canvas = await scenarioCanvas(s);
  const frames = Math.round(s.durationS * fps);
  const framesDir = join(dir, `${s.name}-frames`);
  mkdirSync(framesDir, { recursive: true });
  for (let f = 0; f < frames; f++) {
    writeFileSync(join(framesDir, `f_${String(f).padStart(5, '0')}.jpg`), await renderFrame(s, canvas, f / fps));
    onFrame?.(f + 1, frames);
  }
  return encodeFrames(framesDir, join(dir, `${s.name}.mp4`), fps);
}

/** Numbered JPEGs (f_00000.jpg...) → H.264 MP4; the frames are removed. */
async function encodeFrames(framesDir: string, out: string, fps: number): Promise<string> {
  await ffmpeg(['-framerate', String(fps), '-i', join(framesDir, 'f_%05d.jpg'), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-g', String(fps * 2), out]);
  rmSync(framesDir, { recursive: true, force: true });
  return out;
}

/**
 * A fixed camera's pictures over time as a video: each still held for `seconds` (1 frame per second),
 * optionally dimmed (night). For bin sites, whose state changes over minutes, not seconds.
 */
export async function buildStills(name: string, stills: { bytes: Buffer; seconds: number; light?: number }[], dir: string): Promise<string> {
  const framesDir = join(dir, `${name}-frames`);
  mkdirSync(framesDir, { recursive: true });
  const first = await sharp(stills[0]!.bytes).metadata();
  let f = 0;
  for (const still of stills) {
    const jpeg = await sharp(still.bytes).resize(first.width, first.height, { fit: 'fill' }).removeAlpha().linear(still.light ?? 1, 0).jpeg({ quality: 90 }).toBuffer();
    for (let i = 0; i < still.seconds; i++) writeFileSync(join(framesDir, `f_${String(f++).padStart(5, '0')}.jpg`), jpeg);
  }
  return encodeFrames(framesDir, join(dir, `${name}.mp4`), 1);
}

/** The street's geometry (fractions of the frame): where a car stands on the hard shoulder, and the lanes. */
export const STREET = {
  /** A no-parking zone over the right hard shoulder and the edge of the lane beside it. */
  zone: [[0.62, 0.5], [0.8, 0.5], [1.0, 0.68], [1.0, 0.98], [0.78, 0.98]] as [number, number][],
  /** Parking spots on the shoulder: bottom-centre and car width. */
  spots: [
    { x: 0.86, y: 0.86, w: 0.2 },
    { x: 0.74, y: 0.66, w: 0.13 },
  ],
};

/** A car that drives in along the road, stands at `spot` from `from` to `to` seconds, then drives off. */
export function parkedCar(sprite: SpriteName, spot: { x: number; y: number; w: number }, from: number, to: number, opts: { jitter?: number; approachS?: number } = {}): Actor {
  const a = opts.approachS ?? 3;
  // Upstream: further up the road (smaller, higher, towards the vanishing point); downstream: off the bottom.
  const up = { x: spot.x - (spot.x - 0.55) * 0.6, y: spot.y - (spot.y - 0.35) * 0.6, w: spot.w * 0.45 };
  const down = { x: spot.x + 0.05, y: 1.3, w: spot.w * 1.6 };
  return {
    sprite,
    jitter: opts.jitter ?? 1.5,
    path: [
      { t: Math.max(0, from - a), ...up },
      { t: from, ...spot },
      { t: to, ...spot },
      { t: to + a, ...down },
    ],
  };
}

/** A vehicle driving along the road from upstream to off the bottom of the picture in `seconds`. */
export function passingVehicle(sprite: SpriteName, lane: { x: number; w: number }, at: number, seconds: number): Actor {
  return {
    sprite,
    path: [
      { t: at, x: 0.55 + (lane.x - 0.55) * 0.3, y: 0.42, w: lane.w * 0.35 },
      { t: at + seconds, x: lane.x, y: 1.25, w: lane.w * 1.3 },
    ],
  };
}
