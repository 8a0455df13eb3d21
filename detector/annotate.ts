import sharp from 'sharp';
import type { BBox, Detections, Frame } from '../core/types.js';

/**
 * The frame with its detections drawn (an SVG overlay composited by sharp): one colour per category,
 * label and score above each box. For `weisu detect --out`, and for anyone checking what a model sees.
 * A detection may carry a note (its plate, or why it is unread) written below its box, and a second box
 * (where the plate was read) outlined inside it.
 */
const COLOURS: Record<string, string> = { vehicle: '#ff2d2d', person: '#2d9bff', bin: '#2dff6a', other: '#ffd400' };
const NOTE_COLOUR = '#ffffff';
/** Plates outlined in cyan: unlike white, it stands out from a plate's own white or blue. */
const NOTE_BOX_COLOUR = '#00e5ff';

export interface Note {
  text: string;
  box?: BBox;
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A filled label with text at (x, y) (top-left), font px high. */
function label(x: number, y: number, text: string, font: number, fill: string): string {
  const escaped = escapeXml(text);
  // CJK characters are about twice as wide as Latin ones.
  const width = [...text].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e80 ? 1.05 : 0.6), 0) * font;
  return `<rect x="${x}" y="${y}" width="${Math.round(width) + 8}" height="${font + 4}" fill="${fill}"/>` +
    `<text x="${x + 4}" y="${y + font}" font-family="sans-serif" font-size="${font}" fill="#000">${escaped}</text>`;
}

/** `notes[i]` belongs to `d.items[i]`. */
export function detectionsSvg(d: Detections, notes: readonly (Note | undefined)[] = []): string {
  const stroke = Math.max(2, Math.round(Math.max(d.width, d.height) / 500));
  const font = Math.max(12, Math.round(Math.max(d.width, d.height) / 80));
  const parts = d.items.map((it, i) => {
    const [x1, y1, x2, y2] = it.box.map((v) => Math.round(v)) as [number, number, number, number];
    const colour = COLOURS[it.category] ?? COLOURS.other!;
    const ty = y1 - font - 4 >= 0 ? y1 - font - 4 : y1;
    let svg = `<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>` +
      label(x1, ty, `${it.label} ${it.score.toFixed(2)}${it.trackId === undefined ? '' : ` #${it.trackId}`}`, font, colour);
    const note = notes[i];
    if (note) {
      const ny = y2 + font + 4 <= d.height ? y2 : Math.max(0, y2 - font - 4);
      svg += label(x1, ny, note.text, font, NOTE_COLOUR);
      if (note.box) {
        const [px1, py1, px2, py2] = note.box.map((v) => Math.round(v)) as [number, number, number, number];
        svg += `<rect x="${px1}" y="${py1}" width="${px2 - px1}" height="${py2 - py1}" fill="none" stroke="${NOTE_BOX_COLOUR}" stroke-width="${stroke}"/>`;
      }
    }
    return svg;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${d.width}" height="${d.height}">${parts.join('')}</svg>`;
}

export async function annotateFrame(frame: Frame, d: Detections, notes: readonly (Note | undefined)[] = [], quality = 88): Promise<Buffer> {
  return sharp(frame.jpeg).autoOrient().composite([{ input: Buffer.from(detectionsSvg(d, notes)), top: 0, left: 0 }]).jpeg({ quality }).toBuffer();
}
