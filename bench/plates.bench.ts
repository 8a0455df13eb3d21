import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BBox, Frame } from '../core/types.js';
import { frameFromImage } from '../detector/image.js';
import { cropVehicle, plateRegion } from '../plates/crop.js';
import { enabledFormats, plateCharacters } from '../plates/formats.js';
import { readDictionary, resolveModelFiles } from '../plates/model_files.js';
import { createPlateReader } from '../plates/read_plate.js';
import { platesSchema } from '../plates/schema.js';
import { createTextDetector } from '../plates/text_detector.js';
import { createTextRecognizer } from '../plates/text_recognizer.js';
import { plateCandidates } from '../plates/candidates.js';
import type { BenchTable } from './index.js';

/**
 * Plate reading cost per confirmed incident (it never runs on every sample): crop from the
 * full-resolution frame, text detection at the long side, recognition, for 3 frames of a dwell.
 */
export const title = 'Plate reading: ms per incident (3 frames), crop + detect + read';

const MEDIA = resolve(process.env.WEISU_MEDIA_DIR ?? '../shared/media');
const CASES: { file: string; box: BBox }[] = [
  { file: 'street/parked_car_in_bay.jpg', box: [200, 65, 1010, 795] },
  { file: 'street/parked_car_red.jpg', box: [1133, 755, 4245, 2177] },
  { file: 'street/street_parked_cars_005.png', box: [932, 170, 1225, 365] },
];
const FRAMES_PER_INCIDENT = 3;
const RUNS = 5;
const THREADS = 1;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

export async function run(): Promise<BenchTable> {
  const files = resolveModelFiles();
  const formats = enabledFormats(platesSchema.parse({}).formats);
  const detector = await createTextDetector(files.detection, THREADS);
  const recognizer = await createTextRecognizer(files.recognition, readDictionary(files.dictionary), plateCharacters(formats), THREADS);
  const rows: (string | number)[][] = [];
  try {
    for (const longSide of [640, 960]) {
      const reader = await createPlateReader({ threads: THREADS, config: platesSchema.parse({ long_side: longSide }) });
      try {
        for (const c of CASES) {
          const frame: Frame = await frameFromImage(readFileSync(resolve(MEDIA, c.file)), 'bench');
          const stages = { crop: [] as number[], detect: [] as number[], read: [] as number[], incident: [] as number[] };
          let plate = '';
          for (let i = 0; i < RUNS + 1; i++) {
            // Stage by stage on one frame, then the whole incident through the reader.
            const [crop, tCrop] = await timed(() => cropVehicle(frame, plateRegion(c.box)));
            const [boxes, tDetect] = await timed(() => detector.detect(crop!.image, longSide));
            const lines = [...new Set(plateCandidates(boxes, crop!.image.width, crop!.image.height).slice(0, 6).flatMap((c) => c.rows))];
            const [, tRead] = await timed(() => recognizer.read(crop!.image, lines.map((l) => l.rect)));
            const [result, tIncident] = await timed(() => reader.readIncident(Array.from({ length: FRAMES_PER_INCIDENT }, () => ({ frame, box: c.box }))));
            plate = 'read' in result ? `${result.read.text} (${result.read.confidence.toFixed(2)})` : `unread: ${result.reason}`;
            if (i === 0) continue; // warm-up
            stages.crop.push(tCrop);
            stages.detect.push(tDetect);
            stages.read.push(tRead);
            stages.incident.push(tIncident);
          }
          const [x1, y1, x2, y2] = c.box;
          rows.push([
            longSide,
            `${c.file.split('/').pop()} ${frame.width}×${frame.height}, vehicle ${x2 - x1}×${y2 - y1}`,
            median(stages.crop),
            median(stages.detect),
            median(stages.read),
            median(stages.incident),
            plate,
          ]);
        }
      } finally {
        await reader.close();
      }
    }
  } finally {
    await Promise.all([detector.close(), recognizer.close()]);
  }
  return {
    columns: ['long side', 'frame, vehicle crop', 'crop ms', 'detect ms', 'read ms', `incident ms (${FRAMES_PER_INCIDENT} frames)`, 'plate'],
    rows,
    notes: [
      `Medians of ${RUNS} runs after a warm-up; ONNX Runtime with ${THREADS} intra-op thread; stage columns are per frame.`,
      'Crop decodes the full-resolution JPEG and cuts the lower 70% of the vehicle (the 12 MP progressive JPEG dominates there).',
    ],
  };
}
