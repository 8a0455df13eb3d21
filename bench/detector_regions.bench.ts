import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Frame } from '../core/types.js';
import { detectorFromConfig } from '../detector/from_config.js';
import { frameFromImage } from '../detector/image.js';
import { detectorSchema } from '../detector/schema.js';
import { LABELLED, precisionOf, recallOf, scoreDetector, sumScores } from '../eval/detector_quality.js';
import { timed } from './floor.js';
import type { BenchTable } from './index.js';

/**
 * What finding far and small vehicles costs: for each inference-region setting of the config, the CPU per
 * picture of the whole detector path (full-resolution decode for the regions, every inference, NMS) beside
 * the street-view recall and precision it reaches on the hand-labelled photographs (eval/detector_quality.ts).
 * Frames come as a camera source delivers them (JPEG + inference copy). The default sampling is one
 * picture per camera per 10 s: CPU ms per picture / 10 000 is the share of one core each camera takes.
 */
export const title = 'Detector: CPU per picture and street recall by inference regions (YOLOX-nano 416, the config path)';

const MODELS_DIR = resolve(process.env.WEISU_MODELS_DIR ?? '../shared/models');
const MEDIA_DIR = resolve(process.env.WEISU_MEDIA_DIR ?? '../shared/media');
const ROUNDS = Number(process.env.WEISU_BENCH_ROUNDS ?? 3);
const SAMPLE_EVERY_MS = 10_000;
const SETTINGS: { name: string; regions: object }[] = [
  { name: 'full (whole frame only)', regions: { mode: 'full' } },
  { name: 'tiles 2×1', regions: { mode: 'tiles', tiles: [2, 1] } },
  { name: 'tiles 3×1', regions: { mode: 'tiles', tiles: [3, 1] } },
  { name: 'tiles 2×2', regions: { mode: 'tiles', tiles: [2, 2] } },
  { name: 'tiles 3×2 (default)', regions: {} },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<BenchTable> {
  const files = Object.keys(LABELLED).filter((f) => LABELLED[f]!.view === 'street');
  const frames: Frame[] = await Promise.all(files.map((f, i) => frameFromImage(readFileSync(resolve(MEDIA_DIR, 'street', f)), `cam-${i}`, 0, { pixelsLongSide: 416 })));
  const rows: (string | number)[][] = [];
  for (const s of SETTINGS) {
    const det = await detectorFromConfig(detectorSchema.parse({ regions: s.regions }), { modelsDir: MODELS_DIR });
    try {
      const street = sumScores((await scoreDetector(det, MEDIA_DIR, files)).filter((x) => x.view === 'street')); // also the warm-up
      const before = det.timings.runs;
      const cpu: number[] = [];
      const wall: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const t = await timed(async () => {
          for (const f of frames) await det.run([f]);
        });
        cpu.push(t.cpuMs / frames.length);
        wall.push(t.wallMs / frames.length);
      }
      const runs = (det.timings.runs - before) / (ROUNDS * frames.length);
      const c = median(cpu);
      rows.push([s.name, runs, c, median(wall), `${((100 * c) / SAMPLE_EVERY_MS).toFixed(2)} %`, recallOf(street).toFixed(3), precisionOf(street).toFixed(3)]);
    } finally {
      await det.close();
    }
  }
  return {
    columns: ['detector.regions', 'inferences / picture', 'CPU ms / picture', 'wall ms / picture', 'core share per camera at 10 s', 'street recall', 'street precision'],
    rows,
    notes: [
      `Medians of ${ROUNDS} rounds over the ${frames.length} street-view labelled pictures (375 to 2775 px high), one run() each, threads 2, threshold 0.35.`,
      'CPU = whole process (ONNX Runtime threads and sharp included). Target: recall ≥ 0.85 at precision ≥ 0.90 (npm run eval -- --only detector).',
    ],
  };
}
