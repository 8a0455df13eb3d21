import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { intFlag } from '../cli/flags.js';
import { createClassifier } from '../detector/classifier.js';
import { WeisuError } from '../core/errors.js';
import { createDetector } from '../detector/detector.js';
import { detectorFromConfig } from '../detector/from_config.js';
import { detectorSchema } from '../detector/schema.js';
import { MEDIA_DIR, MODELS_DIR } from '../test/support/paths.js';
import { evalBins } from './bins.js';
import { precisionOf, QUALITY_COLUMNS, qualityRows, recallOf, scoreDetector, sumScores } from './detector_quality.js';
import { evalParking, sweepParking } from './parking.js';
import { f3, precision, recall, SCORE_COLUMNS, scoreRows, worstBucket } from './scenarios/report.js';
import { SWEEP } from './sweep.js';

/**
 * `npm run eval [-- --count N] [--seed S] [--sweep] [--fresh] [--only detector]`: how far operators can trust
 * the detector and the rules. Detector quality: vehicle recall and precision of the default detector path
 * (detector/ defaults, as the worker and `weisu detect` run it) on the hand-labelled street photographs;
 * targets recall ≥ 0.85 at precision ≥ 0.90 on street-view pictures. `--only detector` stops after it.
 * Parking: event precision, recall and dwell error over N generated scenarios (default 500) through the
 * real detector, overall and per parameter bucket, with the detector's recall of vehicles in the zone;
 * targets ≥ 0.98 overall and no bucket below 0.95 (the exit code says whether they are met). `--sweep`
 * also scores the rule's settings over the same observations. Bins: state accuracy of the generic
 * classifier and of per-site calibration with k = 1, 3, 5 examples.
 */
const TARGET = 0.98;
const DETECTOR_TARGET = { recall: 0.85, precision: 0.9 };
const BUCKET_TARGET = 0.95;

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
    sweep: { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
    cache: { type: 'string', default: join(tmpdir(), 'weisu-eval-cache') },
    only: { type: 'string' },
  },
});
if (values.only !== undefined && values.only !== 'detector') throw new WeisuError('bad_flag', `--only ${values.only}: the one part that runs alone is "detector"`, { field: '--only', fix: 'use --only detector, or leave --only out for everything' });
const count = intFlag('--count', values.count, 1);
const seed = intFlag('--seed', values.seed, 0);

function table(title: string, columns: string[], rows: (string | number)[][]): void {
  const line = (r: (string | number)[]) => `| ${r.map(String).join(' | ')} |`;
  console.log(`\n## ${title}\n\n${line(columns)}\n|${columns.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(line(r));
}

const defaultPath = await detectorFromConfig(detectorSchema.parse({}), { modelsDir: MODELS_DIR });
const pictures = await scoreDetector(defaultPath, MEDIA_DIR);
await defaultPath.close();
table(`detector quality: the default detector path on the hand-labelled street photographs (${defaultPath.modelId}; IoU ≥ 0.5, any vehicle class)`, QUALITY_COLUMNS, qualityRows(pictures));
const street = sumScores(pictures.filter((p) => p.view === 'street'));
const detectorMet = recallOf(street) >= DETECTOR_TARGET.recall && precisionOf(street) >= DETECTOR_TARGET.precision;
console.log(`\nstreet view: recall ${f3(recallOf(street))} precision ${f3(precisionOf(street))} (targets recall ≥ ${DETECTOR_TARGET.recall} at precision ≥ ${DETECTOR_TARGET.precision}: ${detectorMet ? 'met' : 'NOT met'})`);
if (values.only === 'detector') process.exit(detectorMet ? 0 : 1);

const detector = await createDetector({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416', threads: 2 });
const t0 = performance.now();
const parking = await evalParking(detector, {
  seed,
  count,
  ...(values.fresh ? {} : { cacheDir: values.cache }),
  progress: (i, run, cached) => {
    if ((i + 1) % 25 === 0 || i + 1 === count) console.error(`  scenario ${i + 1}/${count} (seed ${run.drawn.seed}${cached ? ', cached' : ''}) ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  },
});
await detector.close();
const { overall } = parking.score;
table(`no_parking events over ${count} generated scenarios (seeds ${seed}–${seed + count - 1})`, SCORE_COLUMNS, scoreRows(parking.score));
console.log(`\nprecision ${f3(precision(overall))}  recall ${f3(recall(overall))}  (targets ≥ ${TARGET}, every bucket ≥ ${BUCKET_TARGET})`);
const worst = worstBucket(parking.score)!;
console.log(`worst bucket: ${worst.param} = ${worst.value}, ${worst.metric} ${f3(worst.v)}`);

if (values.sweep) table('sweep: the rule settings over the same observations (best first)', ['setting', 'precision', 'recall', 'worst bucket'], sweepParking(parking.runs, SWEEP));

const classifier = await createClassifier({ modelsDir: MODELS_DIR, model: 'bin-fullness-yolov8n-cls-256', threads: 2 });
const bins = await evalBins(classifier);
await classifier.close();
table('bin state accuracy (media/bins, labels.json)', ['pictures', 'n', 'decided by', 'k per class', 'accuracy'], bins.rows);

const met = detectorMet && precision(overall) >= TARGET && recall(overall) >= TARGET && worst.v >= BUCKET_TARGET;
console.log(`\ndetector and parking targets ${met ? 'met' : 'NOT met'}`);
process.exitCode = met ? 0 : 1;
