import { execFile } from 'node:child_process';
import sharp, { type OverlayOptions, type Region } from 'sharp';
import type { BBox, EvidenceFrame, RuleEvent } from '../core/types.js';
import type { CameraConfig } from '../config/schema.js';
import { KIND_WORDS, durationWords, plateWords, timeWords } from './wording.js';

/**
 * Evidence a crew can act on at a glance: the full-resolution frame with the zone outlined, the subject
 * boxed and labelled, and a caption strip *below* the picture (so it hides nothing) with what, how long,
 * where, which camera and when — in the camera's time zone. For parking the first sighting is shown
 * beside the caption, and the first sighting is also kept whole (with the main image, the pair that
 * proves the stay).
 * People other than the subject are blurred before anything is drawn.
 */

export interface RenderInput {
  event: RuleEvent;
  frames: EvidenceFrame[];
  /** Without a location (a camera no longer configured) the caption says so instead of inventing one. */
  camera: Pick<CameraConfig, 'id' | 'name' | 'timezone'> & { location?: CameraConfig['location'] };
  /** Zone outline in fractions of the frame; omitted when the zone is no longer configured. */
  polygon?: [number, number][];
  /** A read plate (unread ones are left off the picture rather than guessed). */
  plate?: { text: string; confidence: number };
  blurPeople: boolean;
  quality: number;
  maxBytes: number;
  maxImages: number;
}

export interface RenderedImage {
  /** `main` (the confirming frame) is what the case system gets; `first_seen` completes the pair. */
  role: 'main' | 'first_seen';
  jpeg: Buffer;
  width: number;
  height: number;
}

const FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'WenQuanYi Micro Hei', sans-serif";
const RED = '#ff2d2d';
const ZONE = '#ffd400';

export async function renderEvidence(input: RenderInput): Promise<RenderedImage[]> {
  const confirmed = pick(input.frames, 'confirmed') ?? input.frames[input.frames.length - 1];
  if (!confirmed) throw new Error('the incident carries no frame to render');
  const first = input.event.kind === 'no_parking' ? pick(input.frames, 'first_seen') : undefined;

  const main = await annotate(input, confirmed);
  const firstAnnotated = first ? await annotate(input, first) : undefined;
  const out: RenderedImage[] = [];
  out.push(await withCaption(input, main, input.event.confirmedAt, firstAnnotated && { img: firstAnnotated, ts: first!.ts }, 'main'));
  // The main image is the confirming frame at full resolution; with the first sighting at full
  // resolution too, the two make the pair that proves the stay.
  if (firstAnnotated) out.push(await withCaption(input, firstAnnotated, first!.ts, undefined, 'first_seen'));
  return out.slice(0, input.maxImages);
}

function pick(frames: EvidenceFrame[], role: EvidenceFrame['role']): EvidenceFrame | undefined {
  return frames.find((f) => f.role === role);
}

interface Raw {
  data: Buffer;
  width: number;
  height: number;
}

/** Decoded frame (EXIF-rotated), bystanders blurred, zone and subject drawn. */
async function annotate(input: RenderInput, frame: EvidenceFrame): Promise<Raw> {
  const { data, info } = await sharp(Buffer.from(frame.jpegBase64, 'base64'))
    .rotate()
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const W = info.width;
  const H = info.height;
  // Boxes are in the detector's frame size; the JPEG may differ (a resized copy, a re-encode).
  const sx = W / (input.event.frameSize.width || W);
  const sy = H / (input.event.frameSize.height || H);
  const scale = (b: BBox): BBox => [b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy];

  const layers: OverlayOptions[] = [];
  if (input.blurPeople) {
    for (const b of frame.people ?? []) {
      const r = clampBox(scale(b), W, H);
      if (!r) continue;
      const sigma = Math.max(4, Math.min(r.width, r.height) / 5);
      const patch = await sharp(data, { raw: { width: W, height: H, channels: 3 } }).extract(r).blur(sigma).raw().toBuffer();
      layers.push({ input: patch, raw: { width: r.width, height: r.height, channels: 3 }, left: r.left, top: r.top });
    }
  }
  layers.push({ input: Buffer.from(overlaySvg(input, scale(input.event.subject.box), W, H)), left: 0, top: 0 });
  const drawn = await sharp(data, { raw: { width: W, height: H, channels: 3 } }).composite(layers).removeAlpha().raw().toBuffer();
  return { data: drawn, width: W, height: H };
}

function clampBox(b: BBox, W: number, H: number): Region | undefined {
  const left = Math.max(0, Math.floor(b[0]));
  const top = Math.max(0, Math.floor(b[1]));
  const right = Math.min(W, Math.ceil(b[2]));
  const bottom = Math.min(H, Math.ceil(b[3]));
  if (right - left < 2 || bottom - top < 2) return undefined;
  return { left, top, width: right - left, height: bottom - top };
}

function overlaySvg(input: RenderInput, box: BBox, W: number, H: number): string {
  const u = unit(W, H);
  const words = KIND_WORDS[input.event.kind];
  const parts: string[] = [];
  if (input.polygon) {
    const pts = input.polygon.map(([x, y]) => `${(x * W).toFixed(1)},${(y * H).toFixed(1)}`).join(' ');
    parts.push(`<polygon points="${pts}" fill="${ZONE}" fill-opacity="0.12" stroke="${ZONE}" stroke-width="${u * 0.25}" stroke-dasharray="${u * 1.2} ${u * 0.6}"/>`);
  }
  const [x1, y1, x2, y2] = box;
  const stroke = u * 0.35;
  parts.push(`<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="${RED}" stroke-width="${stroke}"/>`);
  const tag = `${words.zh} ${input.event.subject.label} ${Math.round(input.event.subject.score * 100)}%`;
  const fs = u * 1.4;
  const tagW = textWidth(tag, fs) + fs;
  const tagH = fs * 1.5;
  // The tag sits above the box, or inside its top when the box touches the top edge.
  const ty = y1 - tagH >= 0 ? y1 - tagH : y1;
  const tx = Math.min(Math.max(0, x1 - stroke / 2), Math.max(0, W - tagW));
  parts.push(`<rect x="${tx}" y="${ty}" width="${tagW}" height="${tagH}" fill="${RED}"/>`);
  parts.push(`<text x="${tx + fs / 2}" y="${ty + fs * 1.12}" font-family="${FONT}" font-size="${fs}" font-weight="bold" fill="#fff">${esc(tag)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`;
}

/** Adds the caption strip under the picture (and the first-seen thumbnail at its right, for the main image). */
async function withCaption(
  input: RenderInput,
  img: Raw,
  ts: number,
  inset: { img: Raw; ts: number } | undefined,
  role: RenderedImage['role'],
): Promise<RenderedImage> {
  const { width: W, height: H } = img;
  // Sized for a phone: the picture is shrunk to the screen's width, so the text scales with the width.
  const fs = Math.max(14, W / 50);
  const e = input.event;
  const words = KIND_WORDS[e.kind];
  const tz = input.camera.timezone;
  const dwell = durationWords(Math.max(0, e.confirmedAt - e.firstSeen));
  const loc = input.camera.location;
  const roleWords = role === 'first_seen' ? '首次发现 first seen' : '现在 now';
  const lines = [
    { text: `${words.zh} ${words.en} · ${words.durationZh} ${dwell.zh} / ${words.durationEn} ${dwell.en}`, bold: true },
    ...(input.plate ? [{ text: plateWords(input.plate).caption, bold: true }] : []),
    { text: `${input.camera.name ?? input.camera.id} (${input.camera.id})`, bold: false },
    { text: loc ? `${loc.address ? `${loc.address} · ` : ''}${loc.lat.toFixed(5)}, ${loc.lon.toFixed(5)}` : '位置未配置 location not configured', bold: false },
    { text: `${roleWords} ${timeWords(ts, tz)} (${tz})`, bold: false },
    ...(role === 'first_seen' ? [] : [{ text: `首次发现 first seen ${timeWords(e.firstSeen, tz)}`, bold: false }]),
  ];
  const pad = fs * 0.6;
  const textH = lines.length * fs * 1.45 + pad * 2;
  // The first-seen thumbnail: 28 % of the width, but no taller than 30 % of the picture (portrait frames).
  const aspect = inset ? inset.img.width / inset.img.height : 1;
  const thumbH = inset ? Math.round(Math.min((W * 0.28) / aspect, H * 0.3)) : 0;
  const thumbW = inset ? Math.round(thumbH * aspect) : 0;
  const thumbCaption = fs * 1.5;
  const stripH = Math.ceil(Math.max(textH, inset ? thumbH + thumbCaption + pad * 2 : 0));
  const textMaxW = W - thumbW - pad * 3;

  const svgText = lines
    .map((l, i) => {
      const size = fitSize(l.text, fs, textMaxW);
      return `<text x="${pad}" y="${pad + (i + 1) * fs * 1.45 - fs * 0.35}" font-family="${FONT}" font-size="${size}" ${l.bold ? 'font-weight="bold" ' : ''}fill="#fff">${esc(l.text)}</text>`;
    })
    .join('');
  const thumbLabel = inset
    ? `<text x="${W - thumbW - pad}" y="${pad + fs * 1.05}" font-family="${FONT}" font-size="${fitSize(`首次发现 first seen ${timeWords(inset.ts, tz)}`, fs, thumbW)}" fill="${ZONE}">${esc(`首次发现 first seen ${timeWords(inset.ts, tz)}`)}</text>`
    : '';
  const strip = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${stripH}"><rect width="100%" height="100%" fill="#111"/>${svgText}${thumbLabel}</svg>`;

  const layers: OverlayOptions[] = [{ input: Buffer.from(strip), left: 0, top: H }];
  if (inset) {
    const thumb = await sharp(inset.img.data, { raw: { width: inset.img.width, height: inset.img.height, channels: 3 } }).resize(thumbW, thumbH).jpeg().toBuffer();
    layers.push({ input: thumb, left: W - thumbW - Math.round(pad), top: H + Math.round(pad + thumbCaption) });
  }
  const canvas = sharp(img.data, { raw: { width: W, height: H, channels: 3 } })
    .extend({ bottom: stripH, background: '#111' })
    .composite(layers)
    .removeAlpha();
  const raw = await canvas.raw().toBuffer({ resolveWithObject: true });
  const jpeg = await encodeWithin(raw.data, raw.info.width, raw.info.height, input.quality, input.maxBytes);
  return { role, ...jpeg };
}

/**
 * JPEG under maxBytes: lower quality once (to 60), then scale down by the square root of the excess
 * (file size goes roughly with the pixel count), so even a 12-megapixel frame takes a few encodes.
 */
async function encodeWithin(data: Buffer, width: number, height: number, quality: number, maxBytes: number): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const encode = async (q: number, w: number) => {
    let pipe = sharp(data, { raw: { width, height, channels: 3 } });
    if (w !== width) pipe = pipe.resize(w);
    const { data: jpeg, info } = await pipe.jpeg({ quality: q, optimiseCoding: true }).toBuffer({ resolveWithObject: true });
    return { jpeg, width: info.width, height: info.height };
  };
  let out = await encode(quality, width);
  if (out.jpeg.length <= maxBytes) return out;
  const q = Math.min(quality, 60);
  out = await encode(q, width);
  while (out.jpeg.length > maxBytes && out.width > 320) {
    out = await encode(q, Math.max(320, Math.floor(out.width * Math.sqrt(maxBytes / out.jpeg.length) * 0.95)));
  }
  return out;
}

/** Size unit from the picture: readable on a 640-px snapshot and on a 4K frame alike. */
function unit(W: number, H: number): number {
  return Math.max(12, Math.max(W, H) / 90);
}

/** Rough text width: CJK glyphs are square, Latin about half as wide. */
function textWidth(text: string, size: number): number {
  let w = 0;
  for (const ch of text) w += /[\u2E80-\uFFEF]/.test(ch) ? size : size * 0.56;
  return w;
}

function fitSize(text: string, size: number, maxWidth: number): number {
  const w = textWidth(text, size);
  return w <= maxWidth ? size : Math.max(8, (size * maxWidth) / w);
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * Why Chinese captions would render as empty boxes (no CJK font known to fontconfig), or undefined.
 * Checked once at start so the fix is in the log before the first evidence image is wrong.
 */
export function cjkFontProblem(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('fc-list', [':lang=zh', 'family'], { timeout: 10_000 }, (err, stdout) => {
      if (err) resolve('fontconfig (fc-list) is not available, so evidence captions may lack Chinese glyphs: install fontconfig and fonts-noto-cjk');
      else if (!stdout.trim()) resolve('no Chinese font is installed, so evidence captions would show empty boxes: apt-get install fonts-noto-cjk');
      else resolve(undefined);
    });
  });
}
