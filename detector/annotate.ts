import sharp from 'sharp';
import type { Detections, Frame } from '../core/types.js';

/**
 * The frame with its detections drawn (an SVG overlay composited by sharp): one colour per category,
 * label and score above each box. For `weisu detect --out`, and for anyone checking what a model sees.
 */
const COLOURS: Record<string, string> = { vehicle: '#ff2d2d', person: '#2d9bff', bin: '#2dff6a', other: '#ffd400' };

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function detectionsSvg(d: Detections): string {
  const stroke = Math.max(2, Math.round(Math.max(d.width, d.height) / 500));
  const font = Math.max(12, Math.round(Math.max(d.width, d.height) / 80));
  const parts = d.items.map((it) => {
    const [x1, y1, x2, y2] = it.box.map((v) => Math.round(v)) as [number, number, number, number];
    const colour = COLOURS[it.category] ?? COLOURS.other!;
    const text = escapeXml(`${it.label} ${it.score.toFixed(2)}${it.trackId === undefined ? '' : ` #${it.trackId}`}`);
    const ty = y1 - font - 4 >= 0 ? y1 - font - 4 : y1;
    return `<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>` +
      `<rect x="${x1}" y="${ty}" width="${Math.round(text.length * font * 0.6) + 8}" height="${font + 4}" fill="${colour}"/>` +
      `<text x="${x1 + 4}" y="${ty + font}" font-family="sans-serif" font-size="${font}" fill="#000">${text}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${d.width}" height="${d.height}">${parts.join('')}</svg>`;
}

export async function annotateFrame(frame: Frame, d: Detections, quality = 88): Promise<Buffer> {
  return sharp(frame.jpeg).autoOrient().composite([{ input: Buffer.from(detectionsSvg(d)), top: 0, left: 0 }]).jpeg({ quality }).toBuffer();
}
