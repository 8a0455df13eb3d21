import { createClassifier } from '../detector/classifier.js';
import { createDetector } from '../detector/detector.js';
import { MODELS_DIR } from '../test/support/paths.js';
import { evalBins } from './bins.js';
import { evalParking } from './parking.js';

/**
 * `npm run eval`: how far operators can trust the rules. Parking: event precision and recall over the
 * scenario suite through the real detector (targets ≥ 0.95 each; the exit code says whether they are met).
 * Bins: state accuracy of the generic classifier and of per-site calibration with k = 1, 3, 5 examples.
 */
const TARGET = 0.95;

function table(title: string, columns: string[], rows: (string | number)[][]): void {
  const all = [columns, ...rows.map((r) => r.map(String))];
  const width = columns.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  console.log(`\n${title}`);
  for (const [n, r] of all.entries()) {
    console.log('  ' + r.map((c, i) => String(c).padEnd(width[i]!)).join('  '));
    if (n === 0) console.log('  ' + width.map((w) => '-'.repeat(w)).join('  '));
  }
}

const detector = await createDetector({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416', threads: 2 });
console.log('parking scenarios (real detector; scenario, sampling, expected, confirmed, TP, FP, FN, seconds):');
const parking = await evalParking(detector, (l) => console.log(l));
await detector.close();
table('no_parking events', ['scenario', 'sample every', 'expected first seen', 'confirmed (first seen→confirmed)', 'TP', 'FP', 'FN', 's'], parking.rows);
console.log(`\n  precision ${parking.precision.toFixed(3)}  recall ${parking.recall.toFixed(3)}  (targets ≥ ${TARGET})  mean dwell error ${parking.dwellErrorS.toFixed(2)} s`);

const classifier = await createClassifier({ modelsDir: MODELS_DIR, model: 'bin-fullness-yolov8n-cls-256', threads: 2 });
const bins = await evalBins(classifier);
await classifier.close();
table('bin state accuracy (media/bins, labels.json)', ['pictures', 'n', 'decided by', 'k per class', 'accuracy'], bins.rows);

const met = parking.precision >= TARGET && parking.recall >= TARGET;
console.log(`\nparking targets ${met ? 'met' : 'NOT met'}`);
process.exitCode = met ? 0 : 1;
