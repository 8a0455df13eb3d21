import { existsSync, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { configPath, loadConfig } from '../../config/load.js';
import type { CameraConfig } from '../../config/schema.js';
import { WeisuError } from '../../core/errors.js';
import type { Frame } from '../../core/types.js';
import { cropSites, exposureProblem, measureExposure } from '../../detector/bin_observer.js';
import { createClassifier, type Classifier } from '../../detector/classifier.js';
import { frameFromImage } from '../../detector/image.js';
import { defaultModelsDir } from '../../models/registry.js';
import { observeBinSites } from '../../pipeline/bin_sites.js';
import { isCalibrated, type BinLabel } from '../../rules/calibration.js';
import type { BinSiteZone } from '../../rules/schema.js';
import { addExample, calibrationSets, listExamples, removeExample } from '../../store/calibration.js';
import { getCamera } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import { readFileFrames } from '../../streams/file_frames.js';
import { openCliStore } from '../store.js';

export const summary = 'calibrate add|list|remove|test: label crops of a bin site as normal or overflowing (per-site calibration)';

const USAGE = `usage:
  weisu calibrate add --camera ID --zone ID --label normal|overflowing PICTURE|VIDEO... [--at SECONDS]
      crop the bin site from each picture (or from the frame at --at seconds of a video), embed it with
      the site's model and keep it as a labelled example
  weisu calibrate list --camera ID [--zone ID]    examples per site, and whether the site is calibrated
  weisu calibrate remove EXAMPLE_ID               forget a wrongly labelled example
  weisu calibrate test --camera ID --zone ID PICTURE...
      judge pictures with the site's calibration and with the generic model, side by side
  common: --config FILE (default $WEISU_CONFIG or ./weisu.yaml); the store is DATABASE_URL when set,
  else the embedded database in the config's data_dir (stop weisu serve first, it holds that one).

A site is judged by its calibration (nearest centroid of the examples' embeddings) once each class has
calibration_k examples (zone setting, default 3); until then by the generic model.`;

const VIDEO = /\.(mp4|mkv|mov|avi|webm|ts|flv|m4v)$/i;

function bad(field: string, message: string, fix: string): WeisuError {
  return new WeisuError('bad_option', message, { field, fix });
}

async function findSite(db: Db, configFlag: string | undefined, cameraId: string | undefined, zoneId: string | undefined): Promise<{ camera: CameraConfig; zone: BinSiteZone }> {
  if (!cameraId) throw bad('--camera', 'which camera? --camera is required', 'add --camera ID');
  if (!zoneId) throw bad('--zone', 'which bin site? --zone is required', 'add --zone ID (a bin_site zone of the camera)');
  const path = configPath(configFlag);
  const fromConfig = existsSync(path) ? loadConfig(path).cameras.find((c) => c.id === cameraId) : undefined;
  const camera = fromConfig ?? (await getCamera(db, cameraId))?.camera;
  if (!camera) throw bad('--camera', `no camera "${cameraId}" in ${path} or in the store`, 'check the id (weisu cameras list)');
  const zone = camera.zones.find((z) => z.id === zoneId);
  if (!zone) throw bad('--zone', `camera ${cameraId} has no zone "${zoneId}" (zones: ${camera.zones.map((z) => z.id).join(', ') || 'none'})`, 'give the id of one of its bin_site zones');
  if (zone.kind !== 'bin_site') throw bad('--zone', `zone ${zoneId} is a ${zone.kind} zone: only bin_site zones are calibrated`, 'give the id of a bin_site zone');
  return { camera, zone };
}

/** The picture, or the frame of a video at `atS` seconds of media time. */
async function frameOf(path: string, cameraId: string, atS: number | undefined): Promise<Frame> {
  if (!existsSync(path) || !statSync(path).isFile()) throw bad('PICTURE', `${path}: no such file`, 'give picture files (or a video with --at)');
  if (!VIDEO.test(path)) return frameFromImage(readFileSync(path), cameraId);
  if (atS === undefined) throw bad('--at', `${path} is a video: which moment?`, 'add --at SECONDS (media time of the frame to label)');
  for await (const f of readFileFrames(path, { cameraId, everyMs: 200 })) if (f.ts >= atS * 1000) return f;
  throw bad('--at', `${path} is shorter than ${atS} s`, 'give a moment inside the video');
}

async function withClassifier<T>(zone: BinSiteZone, fn: (c: Classifier) => Promise<T>): Promise<T> {
  const classifier = await createClassifier({ modelsDir: defaultModelsDir(), model: zone.model, threads: 2 });
  try {
    return await fn(classifier);
  } finally {
    await classifier.close();
  }
}

async function add(db: Db, values: Options, files: string[]): Promise<number> {
  const { camera, zone } = await findSite(db, values.config, values.camera, values.zone);
  const label = values.label as BinLabel | undefined;
  if (label !== 'normal' && label !== 'overflowing') throw bad('--label', `--label must be normal or overflowing${label ? ` (got ${label})` : ''}`, 'say what the crops show: --label normal or --label overflowing');
  if (!files.length) throw bad('PICTURE', 'no pictures to label', 'give one or more pictures of the site');
  const atS = values.at === undefined ? undefined : Number(values.at);
  if (atS !== undefined && !(atS >= 0)) throw bad('--at', `--at ${values.at} is not a number of seconds`, 'e.g. --at 12.5');
  const actor = `cli:${userInfo().username}`;
  return withClassifier(zone, async (classifier) => {
    let failed = 0;
    for (const file of files) {
      try {
        const frame = await frameOf(file, camera.id, atS);
        const [crop] = await cropSites(frame, [zone]);
        const exposure = measureExposure(crop!);
        if (exposureProblem(exposure, zone.exposure)) {
          throw new WeisuError('crop_unjudgeable', `${file}: the site is too dark or washed out here (brightness ${exposure.brightness.toFixed(2)}): it would be skipped, not judged`, { field: 'PICTURE', fix: 'label a picture where the bin is clearly visible' });
        }
        const [c] = await classifier.classify([crop!]);
        if (!c?.embedding) throw new WeisuError('no_embedding', `model ${zone.model} gives no embedding: it cannot calibrate a site`, { field: 'model', fix: 'use a classifier whose manifest has an embedding output' });
        const jpeg = await sharp(crop!.data, { raw: { width: crop!.width, height: crop!.height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
        const ex = await addExample(db, { cameraId: camera.id, zoneId: zone.id, label, model: zone.model, embedding: c.embedding, crop: jpeg, source: atS === undefined ? file : `${file}@${atS}s`, actor });
        console.log(`example ${ex.id}: ${camera.id}/${zone.id} ${label} (${file}; the generic model says ${c.top} ${Math.max(...c.probs).toFixed(2)})`);
      } catch (e) {
        if (!(e instanceof WeisuError)) throw e;
        failed++;
        console.error(`weisu calibrate: ${e.describe()}`);
      }
    }
    const sets = await calibrationSets(db, camera.id, zone.model);
    const set = sets[zone.id] ?? { normal: [], overflowing: [] };
    console.log(`${camera.id}/${zone.id}: ${set.normal.length} normal, ${set.overflowing.length} overflowing; ${isCalibrated(set, zone.calibration_k) ? 'judged by its calibration' : `judged by the generic model until each class has ${zone.calibration_k}`}`);
    return failed ? 1 : 0;
  });
}

async function list(db: Db, values: Options): Promise<number> {
  if (!values.camera) throw bad('--camera', 'which camera? --camera is required', 'add --camera ID');
  const examples = await listExamples(db, values.camera, values.zone);
  if (!examples.length) {
    console.log(`no calibration examples for ${values.camera}${values.zone ? `/${values.zone}` : ''}`);
    return 0;
  }
  for (const e of examples) console.log(`  ${String(e.id).padStart(6)}  ${e.zoneId}  ${e.label.padEnd(11)}  ${e.model}  ${e.createdAt}  ${e.createdBy}  ${e.source ?? ''}`);
  return 0;
}

async function test(db: Db, values: Options, files: string[]): Promise<number> {
  const { camera, zone } = await findSite(db, values.config, values.camera, values.zone);
  const calibration = await calibrationSets(db, camera.id, zone.model);
  return withClassifier(zone, async (classifier) => {
    for (const file of files) {
      const frame = await frameOf(file, camera.id, undefined);
      const generic = (await observeBinSites(frame, [zone], classifier))[zone.id]!;
      const site = (await observeBinSites(frame, [zone], classifier, calibration))[zone.id]!;
      console.log(`${file}: ${site.state} ${site.score.toFixed(2)} (decided by ${site.decidedBy}); generic model alone: ${generic.state} ${generic.score.toFixed(2)}`);
    }
    return 0;
  });
}

interface Options {
  config?: string;
  camera?: string;
  zone?: string;
  label?: string;
  at?: string;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { positionals, values } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { config: { type: 'string' }, camera: { type: 'string' }, zone: { type: 'string' }, label: { type: 'string' }, at: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || !sub || !['add', 'list', 'remove', 'test'].includes(sub)) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const db = await openCliStore(values.config);
  try {
    switch (sub) {
      case 'add':
        return await add(db, values, positionals);
      case 'list':
        return await list(db, values);
      case 'test':
        return await test(db, values, positionals);
      default: {
        const id = Number(positionals[0]);
        if (!Number.isInteger(id) || id < 1) throw bad('EXAMPLE_ID', `"${positionals[0] ?? ''}" is not an example id`, 'see the ids with weisu calibrate list --camera ID');
        if (!(await removeExample(db, id, `cli:${userInfo().username}`))) throw bad('EXAMPLE_ID', `no calibration example ${id}`, 'see the ids with weisu calibrate list --camera ID');
        console.log(`example ${id} removed`);
        return 0;
      }
    }
  } finally {
    await db.close();
  }
}
