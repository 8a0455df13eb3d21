import { readFileSync } from 'node:fs';
import { alignView } from '../align/align.js';
import { ViewAligner, type ReferencePicture } from '../align/aligner.js';
import { describeView } from '../align/features.js';
import { loadOpenCv } from '../align/opencv.js';
import { greyPicture } from '../align/picture.js';
import { frameFromImage } from '../detector/image.js';
import { media } from '../test/support/paths.js';
import { shifted, viewOf, type ViewWindow } from '../test/support/views.js';
import type { BenchTable } from './index.js';

/**
 * What aligning every sample to its camera's reference views costs: the grey working copy (from the
 * JPEG, or from the RGB copy the source decoded for inference), ORB corners + cell texture, then
 * matching + RANSAC against 1 reference (a fixed camera) and 4 (a dome with 4 presets).
 */
export const title = 'Alignment: ms per sample (640 px working copy, ORB 1000 corners, RANSAC homography)';

const SCENES: { file: string; win: ViewWindow }[] = [
  { file: 'street/road_parked_cars_lane00000.jpg', win: { left: 200, top: 60, width: 1100, height: 480 } },
  { file: 'street/street_timessquare.png', win: { left: 150, top: 80, width: 1100, height: 560 } },
  { file: 'street/drone_street_visdrone.jpg', win: { left: 150, top: 100, width: 1000, height: 560 } },
];
const RUNS = 10;
const HD = { width: 1920, height: 1080 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

export async function run(): Promise<BenchTable> {
  const [cv, loadMs] = await timed(() => loadOpenCv());
  const aligner = await ViewAligner.create();
  const rows: (string | number)[][] = [];
  for (const s of SCENES) {
    const picture = readFileSync(media(s.file));
    const refs: ReferencePicture[] = [];
    for (const [i, dx] of [0, 0.1, -0.1, 0.05].entries()) refs.push({ id: `${s.file}#${i}`, jpegBase64: (await viewOf(picture, shifted(s.win, dx, 0), {}, HD)).toString('base64') });
    const views = await Promise.all(refs.map((r) => aligner.reference(r)));
    const current = await viewOf(picture, shifted(s.win, 0.02, -0.01), {}, HD);
    const frame = await frameFromImage(current, 'bench');
    const t = { jpeg: [] as number[], pixels: [] as number[], describe: [] as number[], one: [] as number[], four: [] as number[] };
    let state = '';
    for (let i = 0; i < RUNS + 1; i++) {
      const [, tJpeg] = await timed(() => greyPicture(current));
      const [grey, tPixels] = await timed(() => greyPicture(frame.pixels!));
      const [features, tDescribe] = await timed(() => describeView(cv, grey));
      const [one, tOne] = await timed(() => alignView(cv, views.slice(0, 1), features, { maxShift: 0.15 }));
      const [, tFour] = await timed(() => alignView(cv, views, features, { maxShift: 0.15 }));
      state = one.state;
      // The first run warms caches and the JIT.
      if (i === 0) continue;
      t.jpeg.push(tJpeg);
      t.pixels.push(tPixels);
      t.describe.push(tDescribe);
      t.one.push(tOne);
      t.four.push(tFour);
    }
    rows.push([s.file, median(t.jpeg), median(t.pixels), median(t.describe), median(t.one), median(t.four), median(t.pixels) + median(t.describe) + median(t.one), state]);
  }
  return {
    columns: ['scene (1920×1080 view)', 'grey from JPEG', 'grey from inference copy', 'ORB + texture', 'match 1 ref', 'match 4 refs', 'per sample (fixed camera)', 'result'],
    rows,
    notes: [`Medians of ${RUNS} runs on one core. OpenCV WebAssembly loads once per process: ${loadMs.toFixed(0)} ms. Reference views are described once and cached.`],
  };
}
