import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configPath, loadConfig } from '../../config/load.js';
import type { CameraConfig } from '../../config/schema.js';
import { parseDuration } from '../../core/duration.js';
import { WeisuError } from '../../core/errors.js';
import type { RuleEvent } from '../../core/types.js';
import { createClassifier, type Classifier } from '../../detector/classifier.js';
import { detectorFromConfig } from '../../detector/from_config.js';
import { replayFile } from '../../pipeline/replay.js';
import { defaultModelsDir } from '../../models/registry.js';
import type { CalibrationSet } from '../../rules/calibration.js';
import { wallClockToEpoch } from '../../rules/schedule.js';
import type { BinSiteZone } from '../../rules/schema.js';
import { calibrationSets } from '../../store/calibration.js';
import { openDb, storeOptions } from '../../store/db.js';
import { probeFile, startFfmpeg } from '../../streams/ffmpeg.js';

export const summary = 'replay VIDEO --config FILE [--camera ID] [--json]: the incident timeline of recorded footage, faster than real time';

const USAGE = `usage: weisu replay VIDEO [options]
  --config FILE      configuration with the camera and its zones (default $WEISU_CONFIG or ./weisu.yaml)
  --camera ID        which camera of the config the footage is from (needed when it has several)
  --every DURATION   one sample per DURATION of media time (default: the camera's sample_every)
  --start TIME       wall-clock time of the video's first frame, for schedules, e.g. 2026-11-26T10:00
                     (in the camera's time zone unless it ends in Z or ±hh:mm; default: the file's
                     creation_time tag, else its modification time minus its duration)
  --calibrated       judge bin sites with the labelled examples stored by weisu calibrate
  --threads N        ONNX Runtime threads (default: the config's detector.threads)
  --json             one JSON object per line per confirmed incident:
                     {"camera","zone","kind","first_seen","confirmed_at",...} (seconds of media time)`;

function option(name: string, message: string, fix: string): WeisuError {
  return new WeisuError('bad_option', message, { field: `--${name}`, fix });
}

/** The camera the footage belongs to: --camera, the only camera, or the one whose url is this file. */
function pickCamera(cameras: CameraConfig[], id: string | undefined, video: string): CameraConfig {
  const ids = cameras.map((c) => c.id).join(', ') || 'none';
  if (id) {
    const cam = cameras.find((c) => c.id === id);
    if (!cam) throw option('camera', `no camera "${id}" in the configuration (cameras: ${ids})`, 'give one of the camera ids of the config');
    return cam;
  }
  if (cameras.length === 1) return cameras[0]!;
  const same = cameras.filter((c) => resolve(c.url.replace(/^file:\/\//, '')) === resolve(video));
  if (same.length === 1) return same[0]!;
  throw option('camera', cameras.length ? `the configuration has ${cameras.length} cameras (${ids}): which one shot this video?` : 'the configuration has no camera', cameras.length ? 'add --camera ID' : 'add a camera with its zones to the config');
}

/** The video's creation_time tag (cameras and recorders write it), if any. */
async function creationTime(path: string): Promise<number | undefined> {
  const run = startFfmpeg(['-v', 'error', '-show_entries', 'format_tags=creation_time:stream_tags=creation_time', '-of', 'default=nw=1:nk=1', path], { bin: 'ffprobe' });
  let out = '';
  run.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await run.exited;
  const ms = Date.parse(out.split('\n').find((l) => l.trim())?.trim() ?? '');
  return Number.isFinite(ms) ? ms : undefined;
}

async function startOf(video: string, flag: string | undefined, tz: string): Promise<{ at: number; from: string }> {
  if (flag) {
    try {
      return { at: wallClockToEpoch(flag, tz), from: '--start' };
    } catch (e) {
      throw option('start', `--start ${flag}: ${(e as Error).message}`, 'write it like 2026-11-26T10:00 or 2026-11-26T10:00:00+08:00');
    }
  }
  const tagged = await creationTime(video);
  if (tagged !== undefined) return { at: tagged, from: 'creation_time tag' };
  const { durationMs } = await probeFile(video);
  return { at: Math.round(statSync(video).mtimeMs - (durationMs ?? 0)), from: 'file time' };
}

async function storedCalibration(dataDir: string, cameraId: string, model: string): Promise<Record<string, CalibrationSet>> {
  const db = await openDb(storeOptions(dataDir));
  try {
    return await calibrationSets(db, cameraId, model);
  } finally {
    await db.close();
  }
}

const clock = (s: number) => `${String(Math.floor(s / 60)).padStart(2, '0')}:${(s % 60).toFixed(1).padStart(4, '0')}`;

export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      camera: { type: 'string' },
      every: { type: 'string' },
      start: { type: 'string' },
      calibrated: { type: 'boolean', default: false },
      threads: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const video = positionals[0]!;
  if (!existsSync(video) || !statSync(video).isFile()) throw new WeisuError('input_missing', `${video}: no such file`, { field: 'VIDEO', fix: 'give the path of a recorded video file' });
  const cfg = loadConfig(configPath(values.config));
  const cam = pickCamera(cfg.cameras, values.camera, video);
  if (!cam.zones.length) throw option('camera', `camera ${cam.id} has no zones: nothing to replay against`, 'draw a no_parking or bin_site zone for it in the config');
  let everyMs = cam.sample_every;
  if (values.every !== undefined) {
    try {
      everyMs = parseDuration(values.every);
    } catch (e) {
      throw option('every', (e as Error).message, 'e.g. --every 1s');
    }
  }
  const threads = values.threads === undefined ? cfg.detector.threads : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw option('threads', `--threads ${values.threads} is not a positive whole number`, 'e.g. --threads 2');
  const start = await startOf(video, values.start, cam.timezone);
  const sites = cam.zones.filter((z): z is BinSiteZone => z.kind === 'bin_site');
  const models = [...new Set(sites.map((z) => z.model))];
  if (models.length > 1) throw option('camera', `the bin sites of ${cam.id} use different classifiers (${models.join(', ')}): replay takes one`, 'use one model for the bin sites of a camera');
  const calibration = values.calibrated && models[0] ? await storedCalibration(cfg.data_dir, cam.id, models[0]) : undefined;

  const modelsDir = defaultModelsDir();
  const detector = await detectorFromConfig({ ...cfg.detector, threads }, { modelsDir, zonesOf: () => cam.zones.map((z) => z.polygon) });
  let classifier: Classifier | undefined;
  try {
    classifier = models[0] ? await createClassifier({ modelsDir, model: models[0], threads }) : undefined;
    const mediaS = (ms: number) => Math.round(ms - start.at) / 1000;
    if (!values.json) {
      console.log(`replay ${cam.id}: ${cam.zones.map((z) => `${z.id}(${z.kind})`).join(', ')}; one sample per ${everyMs / 1000} s of media; media 0 s = ${new Date(start.at).toISOString()} (${start.from})`);
    }
    const print = (events: RuleEvent[]) => {
      for (const e of events) {
        if (values.json) {
          if (e.type !== 'confirmed') continue;
          console.log(
            JSON.stringify({
              camera: e.cameraId,
              zone: e.zoneId,
              kind: e.kind,
              first_seen: mediaS(e.firstSeen),
              confirmed_at: mediaS(e.confirmedAt),
              last_seen: mediaS(e.lastSeen),
              incident_id: e.incidentId,
              label: e.subject.label,
              score: +e.subject.score.toFixed(3),
              box: e.subject.box.map((v) => +v.toFixed(1)),
            }),
          );
        } else {
          const what = e.type === 'confirmed' ? `first seen ${clock(mediaS(e.firstSeen))}, ${((e.confirmedAt - e.firstSeen) / 1000).toFixed(1)} s` : `last seen ${clock(mediaS(e.lastSeen))}, stayed ${((e.lastSeen - e.firstSeen) / 1000).toFixed(1)} s`;
          console.log(`  ${clock(mediaS(e.ts))}  ${e.type.padEnd(9)}  ${e.kind.padEnd(11)} ${e.zoneId}  ${e.subject.label} ${e.subject.score.toFixed(2)}  ${what}`);
        }
      }
    };
    const t0 = performance.now();
    const result = await replayFile(video, { camera: cam, detector, classifier, calibration, startAt: start.at, everyMs, onEvents: print });
    const took = (performance.now() - t0) / 1000;
    const confirmed = result.events.filter((e) => e.type === 'confirmed').length;
    const speed = took > 0 ? (result.mediaMs / 1000 / took).toFixed(1) : '∞';
    const line = `${confirmed} incident(s) in ${(result.mediaMs / 1000).toFixed(1)} s of media, ${result.samples} samples, replayed in ${took.toFixed(1)} s (${speed}× real time)`;
    if (values.json) console.error(line);
    else console.log(line);
    return 0;
  } finally {
    await detector.close();
    await classifier?.close();
  }
}
