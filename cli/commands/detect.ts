import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../core/duration.js';
import { WeisuError } from '../../core/errors.js';
import type { Detections, Frame } from '../../core/types.js';
import { annotateFrame, type Note } from '../../detector/annotate.js';
import type { Detector } from '../../detector/detector.js';
import { detectorFromConfig } from '../../detector/from_config.js';
import { frameFromImage } from '../../detector/image.js';
import { detectorSchema, regionsSchema, type RegionsConfig } from '../../detector/schema.js';
import { defaultModelsDir } from '../../models/registry.js';
import { readPicturePlates, type VehiclePlate } from '../../plates/picture.js';
import { createPlateReader, type PlateReader } from '../../plates/read_plate.js';
import { readFileFrames } from '../../streams/file_frames.js';
import { redactUrl } from '../../streams/redact.js';
import { openSource } from '../../streams/source.js';

export const summary = 'detect IMAGE|VIDEO|URL... [--model ID] [--plates] [--json] [--out FILE|DIR]: run the detector on pictures, videos or cameras';

/** The default config's detector: what the worker runs when the config says nothing. */
const DEFAULTS = detectorSchema.parse({});

function tilesDefault(): string {
  const r = DEFAULTS.regions;
  return r?.mode === 'tiles' ? `default ${r.tiles[0]}x${r.tiles[1]}` : 'default: none';
}

const USAGE = `usage: weisu detect IMAGE|VIDEO|URL... [options]
  --model ID         model id (default: the config's default, ${DEFAULTS.model}; weisu models list)
  --threshold N      minimum score 0..1 (default ${DEFAULTS.score_threshold})
  --threads N        ONNX Runtime threads (default ${DEFAULTS.threads})
  --every DURATION   videos: one frame per DURATION of media time (default 1s)
  --tiles CxR        run a C×R grid of tiles at full resolution beside the whole frame (${tilesDefault()});
                     1x1: the whole frame only
  --plates           also read each vehicle's licence plate ("plate": {"text","confidence","format","box"}, or
                     {"unread":true,"reason"}: a plate is never guessed); written below the vehicle with --out
  --json             one JSON line per picture: {"source","ts","width","height","detections":[{"label","category","score","box":[x1,y1,x2,y2]}]}
  --out FILE|DIR     write the annotated JPEG (a directory when there are several pictures)
Without options this is the worker's detector path with the default config (detector.* in docs/config.md).`;

const VIDEO = /\.(mp4|mkv|mov|avi|webm|ts|flv|m4v)$/i;

/**
 * Frames of one input: a camera or picture URL (one grab through streams/, whatever it speaks), a video
 * file sampled every `everyMs` of media time, or a picture file.
 */
async function* framesOf(input: string, everyMs: number, longSide: number): AsyncGenerator<Frame> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input) && !input.startsWith('file:')) {
    const source = openSource({ cameraId: 'cli', url: input, inferenceLongSide: longSide });
    try {
      yield await source.grab();
    } finally {
      await source.close();
    }
    return;
  }
  if (!existsSync(input) || !statSync(input).isFile()) throw new WeisuError('input_missing', `${input}: no such file`, { field: 'input', fix: 'give a picture or video file, or a camera/picture URL' });
  if (VIDEO.test(input)) {
    yield* readFileFrames(input, { cameraId: 'cli', everyMs, inferenceLongSide: longSide });
    return;
  }
  yield frameFromImage(readFileSync(input), 'cli', 0, { pixelsLongSide: longSide });
}

function outPath(out: string, input: string, ts: number, many: boolean): string {
  if (!many && !(existsSync(out) && statSync(out).isDirectory())) return out;
  if (!existsSync(out) || !statSync(out).isDirectory()) throw new WeisuError('out_not_dir', `--out ${out} must be an existing directory when there are several pictures`, { field: '--out', fix: `mkdir -p ${out}` });
  const stem = basename(input, extname(input)).replace(/[^\w.-]+/g, '_') || 'picture';
  return join(out, many && VIDEO.test(input) ? `${stem}-${ts}ms.jpg` : `${stem}.jpg`);
}

const plateText = (p: VehiclePlate) => ('unread' in p ? `plate unread: ${p.reason}` : `plate ${p.text} (${p.confidence.toFixed(2)})`);

function printText(source: string, d: Detections, plates: readonly (VehiclePlate | undefined)[]): void {
  console.log(`${source}${d.ts ? ` @ ${d.ts} ms` : ''}: ${d.items.length} detection(s) in ${d.width}×${d.height}`);
  d.items.forEach((it, i) => {
    const p = plates[i];
    console.log(`  ${it.label.padEnd(12)} ${it.score.toFixed(2)}  [${it.box.map((v) => Math.round(v)).join(', ')}]  (${it.category})${p ? `  ${plateText(p)}` : ''}`);
  });
}

function plateJson(p: VehiclePlate | undefined) {
  if (!p) return {};
  if ('unread' in p) return { plate: { unread: true, reason: p.reason } };
  return { plate: { text: p.text, confidence: +p.confidence.toFixed(3), format: p.format, box: p.box } };
}

/** The plate of each vehicle of the picture, by detection index (other categories have none). */
async function platesOf(reader: PlateReader, frame: Frame, d: Detections): Promise<(VehiclePlate | undefined)[]> {
  const vehicles = d.items.flatMap((it, i) => (it.category === 'vehicle' ? [i] : []));
  const reads = await readPicturePlates(reader, frame, vehicles.map((i) => d.items[i]!.box));
  const out: (VehiclePlate | undefined)[] = d.items.map(() => undefined);
  vehicles.forEach((i, k) => (out[i] = reads[k]));
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string', default: DEFAULTS.model },
      threshold: { type: 'string' },
      threads: { type: 'string', default: String(DEFAULTS.threads) },
      every: { type: 'string', default: '1s' },
      tiles: { type: 'string' },
      plates: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length === 0) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new WeisuError('bad_option', `--threshold ${values.threshold} is not a number between 0 and 1`, { field: '--threshold', fix: 'e.g. --threshold 0.4' });
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new WeisuError('bad_option', `--threads ${values.threads} is not a positive whole number`, { field: '--threads', fix: 'e.g. --threads 2' });
  const everyMs = parseDuration(values.every);
  const grid = values.tiles === undefined ? undefined : /^([1-8])x([1-8])$/.exec(values.tiles);
  if (grid === null) throw new WeisuError('bad_option', `--tiles ${values.tiles} is not a grid like 2x2`, { field: '--tiles', fix: 'give columns x rows, each 1 to 8, e.g. --tiles 2x2' });
  const regions: RegionsConfig | undefined = grid ? regionsSchema.parse({ ...DEFAULTS.regions, mode: grid[0] === '1x1' ? 'full' : 'tiles', tiles: [Number(grid[1]), Number(grid[2])] }) : DEFAULTS.regions;

  const many = positionals.length > 1 || positionals.some((p) => VIDEO.test(p));
  if (values.out && many) outPath(values.out, positionals[0]!, 0, many); // refuse a bad --out before any work

  const detector: Detector = await detectorFromConfig({ ...DEFAULTS, model: values.model, threads, score_threshold: threshold ?? DEFAULTS.score_threshold, regions }, { modelsDir: defaultModelsDir() });
  let failed = 0;
  let reader: PlateReader | undefined;
  try {
    if (values.plates) reader = await createPlateReader({ threads });
    const longSide = Math.max(detector.manifest.input.width, detector.manifest.input.height);
    for (const input of positionals) {
      const shown = redactUrl(input);
      try {
        for await (const frame of framesOf(input, everyMs, longSide)) {
          const [d] = await detector.run([frame]);
          const plates = reader ? await platesOf(reader, frame, d!) : [];
          if (values.json) {
            const detections = d!.items.map((it, i) => ({ label: it.label, category: it.category, score: +it.score.toFixed(4), box: it.box.map((v) => +v.toFixed(1)), ...plateJson(plates[i]) }));
            console.log(JSON.stringify({ source: shown, ts: d!.ts, width: d!.width, height: d!.height, detections }));
          } else printText(shown, d!, plates);
          const notes = plates.map((p): Note | undefined => p && ('unread' in p ? { text: 'plate unread' } : { text: p.text, box: p.box }));
          if (values.out) writeFileSync(outPath(values.out, input, d!.ts, many), await annotateFrame(frame, d!, notes));
        }
      } catch (e) {
        // One bad picture must not stop the others: say what is wrong with it and go on.
        if (!(e instanceof WeisuError)) throw e;
        failed++;
        console.error(`weisu detect: ${shown}: ${e.describe()}`);
      }
    }
  } finally {
    await Promise.all([detector.close(), reader?.close()]);
  }
  return failed ? 1 : 0;
}
