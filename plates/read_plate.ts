import type { BBox, Frame } from '../core/types.js';
import { log } from '../core/log.js';
import { plateCandidates } from './candidates.js';
import { cropVehicle, plateRegion, type VehicleCrop } from './crop.js';
import { enabledFormats, matchFormat, plateCharacters, type PlateFormat } from './formats.js';
import { readDictionary, resolveModelFiles } from './model_files.js';
import { platesSchema, type PlatesConfig } from './schema.js';
import { rectBounds, type TextBox } from './text_boxes.js';
import { createTextDetector } from './text_detector.js';
import { createTextRecognizer, MARGINS } from './text_recognizer.js';
import { vote } from './vote.js';

export type { PlatesConfig } from './schema.js';

export interface PlateRead {
  /** As written on a ticket, e.g. 浙G·Z6825, DR 68651. */
  text: string;
  /**
   * 0–1. For one frame: the product of the characters' probabilities (the chance every one is right),
   * averaged over the line's framings that agree, scaled by their share; across frames, see vote.ts.
   */
  confidence: number;
  /** The format it fits (`cn`, `cn_nev`, `dk`, `de`, `eu` or a custom one). */
  format: string;
  /** The plate's text in full-frame px. */
  box: BBox;
}

export interface Unread {
  unread: true;
  /** Why, in words an operator can act on (too small, no plate-shaped text, below the confidence floor…). */
  reason: string;
}

export type PlateResult = { read: PlateRead; votes: number } | Unread;

export interface PlateReader {
  /** The plate of one vehicle in one frame; unread below the confidence floor. */
  readVehicle(frame: Frame, vehicleBox: BBox): Promise<PlateRead | Unread>;
  /** The plate of one incident's vehicle, voted across its frames. */
  readIncident(frames: { frame: Frame; box: BBox }[]): Promise<PlateResult>;
  close(): Promise<void>;
}

/** Recognizer candidates per vehicle: the best few plate-shaped lines are plenty, and bound the cost. */
const MAX_CANDIDATES = 6;
/**
 * Height of a plate's text box as a fraction of the vehicle's width: at most about this, seen square
 * from the front or back (a 140 mm plate on a 1.8 m car); less at an angle.
 */
const PLATE_TEXT_PER_WIDTH = 0.08;

/**
 * Loads the OCR models once; reads run one at a time (they are CPU-bound, and run only on confirmed
 * incidents, never on every sample).
 */
export async function createPlateReader(opts: { threads?: number; config?: PlatesConfig } = {}): Promise<PlateReader> {
  const config = opts.config ?? platesSchema.parse({});
  const threads = opts.threads ?? config.threads;
  const files = resolveModelFiles(config.models);
  const formats = enabledFormats(config.formats, config.custom_formats);
  const detector = await createTextDetector(files.detection, threads);
  const recognizer = await createTextRecognizer(files.recognition, readDictionary(files.dictionary), plateCharacters(formats), threads).catch(async (e: unknown) => {
    await detector.close();
    throw e;
  });
  const floor = config.confidence_floor;

  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  /** The best read of one vehicle, before the confidence floor. */
  async function readOnce(frame: Frame, box: BBox): Promise<PlateRead | Unread> {
    try {
      return await readUnchecked(frame, box);
    } catch (e) {
      // A corrupt JPEG or a model failure on one frame is that frame unread, never a crashed incident.
      log.warn({ err: (e as Error).message, camera: frame?.cameraId }, 'plate reading failed on a frame');
      return unread(`the frame could not be read: ${(e as Error).message}`);
    }
  }

  async function readUnchecked(frame: Frame, box: BBox): Promise<PlateRead | Unread> {
    if (!frame || !Buffer.isBuffer(frame.jpeg) || frame.jpeg.length === 0) return unread('the frame carries no image');
    const crop = await cropVehicle(frame, plateRegion(box));
    if (!crop) return unread(`the vehicle box ${JSON.stringify(box)} lies outside the ${frame.width}×${frame.height} frame`);
    const minH = config.min_plate_height * crop.scale;
    const { width: cw, height: ch } = crop.image;
    const expected = (PLATE_TEXT_PER_WIDTH * cw) / crop.scale;
    const tooSmall = `the vehicle is ${Math.round(cw / crop.scale)} px wide, so its plate text would be at most about ${expected.toFixed(0)} px tall, below plates.min_plate_height (${config.min_plate_height} px)`;
    if (ch < 1.5 * minH || expected < config.min_plate_height / 2) return unread(`too small to read: ${tooSmall}`);
    const boxes = await detector.detect(crop.image, config.long_side);
    if (boxes.length === 0) return unread(expected < config.min_plate_height ? `no text found: ${tooSmall}` : 'no text found on the vehicle');
    const shaped = plateCandidates(boxes, cw, ch);
    if (shaped.length === 0) return unread('no plate-shaped text on the lower part of the vehicle');
    const tall = shaped.filter((c) => c.height >= minH).slice(0, MAX_CANDIDATES);
    if (tall.length === 0) {
      const h = Math.max(...shaped.map((c) => c.height)) / crop.scale;
      return unread(`plate text is ${h.toFixed(1)} px tall, below plates.min_plate_height (${config.min_plate_height} px): too small to read`);
    }
    // Each text line once, however many candidates share it.
    const lines = [...new Set(tall.flatMap((c) => c.rows))];
    const lineReads = await recognizer.read(crop.image, lines.map((l) => l.rect));
    let best: PlateRead | null = null;
    const misfits = new Set<string>();
    for (const candidate of tall) {
      const rows = candidate.rows.map((row) => lineReads[lines.indexOf(row)]!);
      // The line's framings vote like frames do; a read that fits no format is no plate and has no say.
      const fitting = MARGINS.flatMap((_, k) => {
        const text = rows.map((r) => r[k]!.text).join(' ');
        const match = matchFormat(text, formats);
        if (!match && text) misfits.add(text);
        return match ? [{ ...match, confidence: rows.flatMap((r) => r[k]!.charProbs).reduce((p, c) => p * c, 1) }] : [];
      });
      const v = vote(fitting);
      if (!v || (best && best.confidence >= v.confidence)) continue;
      best = { text: v.best.text, format: v.best.format, confidence: v.confidence, box: frameBox(candidate.rows, crop) };
    }
    if (best) return best;
    return unread(misfits.size ? `read ${[...misfits].map((m) => `"${m}"`).join(', ')}, which fits no enabled plate format (${formatNames(formats)})` : 'no plate characters recognised');
  }

  return {
    readVehicle: (frame, box) =>
      serial(async () => {
        const r = await readOnce(frame, box);
        if ('unread' in r || r.confidence >= floor) return r;
        return unread(`read ${r.text} with confidence ${r.confidence.toFixed(2)}, below plates.confidence_floor (${floor})`);
      }),
    readIncident: (frames) =>
      serial(async () => {
        if (!Array.isArray(frames) || frames.length === 0) return unread('the incident has no frames to read');
        const results: (PlateRead | Unread)[] = [];
        for (const f of frames) results.push(await readOnce(f?.frame, f?.box));
        const reads = results.filter((r): r is PlateRead => !('unread' in r));
        const v = vote(reads);
        if (!v) return unread(`no frame showed a readable plate: ${summarise(results as Unread[])}`);
        const agreed = `${v.best.text} in ${v.votes} of ${frames.length} frames`;
        if (v.confidence < floor) return unread(`combined confidence ${v.confidence.toFixed(2)} is below plates.confidence_floor (${floor}) (${agreed})`);
        return { read: { ...v.best, confidence: v.confidence }, votes: v.votes };
      }),
    async close() {
      await queue;
      await Promise.all([detector.close(), recognizer.close()]);
    },
  };
}

/** Bounds of a plate's rows (crop px) in full-frame px, to a tenth of a pixel. */
function frameBox(rows: TextBox[], crop: VehicleCrop): BBox {
  const b = rows.map((r) => rectBounds(r.rect));
  const at = (v: number, offset: number) => Math.round((v / crop.scale + offset) * 10) / 10;
  return [
    at(Math.min(...b.map((x) => x[0])), crop.left),
    at(Math.min(...b.map((x) => x[1])), crop.top),
    at(Math.max(...b.map((x) => x[2])), crop.left),
    at(Math.max(...b.map((x) => x[3])), crop.top),
  ];
}

function unread(reason: string): Unread {
  return { unread: true, reason };
}

function formatNames(formats: readonly PlateFormat[]): string {
  return formats.map((f) => f.name).join(', ');
}

/** "2× plate text is 6 px tall…; 1× no text found" — the reasons of unread frames, most common first. */
function summarise(results: Unread[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([reason, n]) => (n > 1 ? `${n}× ${reason}` : reason)).join('; ');
}
