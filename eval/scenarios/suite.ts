import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Detector } from '../../detector/detector.js';
import type { CameraSpec } from '../../rules/camera_rules.js';
import { zoneSchema } from '../../rules/schema.js';
import { drawScenario, type DrawnScenario } from './draw.js';
import { judge, runRules, type Judged } from './judge.js';
import { observe, sampleTimes, type Observation } from './observe.js';

/**
 * The generated suite: `count` scenarios from consecutive seeds, each observed once through the detector
 * (rendering and inference are the costly part) and judged by the rules as often as asked. Observations
 * are cached on disk by what determines them — the drawn scenario, its sample times, the model and this
 * file's version of how pictures are made — so a second eval of the same suite (other rules, a sweep)
 * reruns only the rules; `--fresh` ignores the cache.
 */
export interface SuiteRun {
  drawn: DrawnScenario;
  observation: Observation;
}

/** Thursday 2026-11-26 10:00 Asia/Shanghai: media time 0 of every scenario (no schedules involved). */
export const START_AT = Date.UTC(2026, 10, 26, 2, 0, 0);
/** Bump when rendering or observing changes what the detector is shown: old cache entries then miss. */
const OBSERVE_VERSION = 1;

export interface ObserveOptions {
  cacheDir?: string;
  /** Called after each scenario with its index (0-based) and whether it came from the cache. */
  progress?: (i: number, run: SuiteRun, cached: boolean) => void;
}

export async function observeSuite(seed: number, count: number, detector: Detector, opts: ObserveOptions = {}): Promise<SuiteRun[]> {
  if (opts.cacheDir) mkdirSync(opts.cacheDir, { recursive: true });
  const runs: SuiteRun[] = [];
  for (let i = 0; i < count; i++) {
    const drawn = drawScenario(seed + i);
    const times = sampleTimes(drawn.scenario.durationS, drawn.everyS, drawn.phaseS);
    const key = createHash('sha256').update(JSON.stringify({ v: OBSERVE_VERSION, model: detector.manifest.id, scenario: drawn.scenario, times, zone: drawn.zone.polygon })).digest('hex').slice(0, 32);
    const file = opts.cacheDir && join(opts.cacheDir, `${key}.json`);
    let observation: Observation;
    const cached = !!file && existsSync(file);
    if (cached) observation = JSON.parse(readFileSync(file, 'utf8')) as Observation;
    else {
      observation = await observe(drawn.scenario, drawn.zone.polygon, times, detector, START_AT);
      if (file) writeFileSync(file, JSON.stringify(observation));
    }
    const run = { drawn, observation };
    runs.push(run);
    opts.progress?.(i, run, cached);
  }
  return runs;
}

/** The camera a scenario is judged on: one no-parking zone, `zoneFields` (a sweep's settings) over the drawn ones. */
export function scenarioCamera(d: DrawnScenario, zoneFields: Record<string, unknown> = {}): CameraSpec {
  return { id: 'scenario', timezone: 'Asia/Shanghai', zones: [zoneSchema.parse({ id: 'kerb', kind: 'no_parking', ...d.zone, ...zoneFields })] };
}

export function judgeRun(run: SuiteRun, zoneFields: Record<string, unknown> = {}): Judged {
  const { drawn } = run;
  const events = runRules(run.observation.detections, scenarioCamera(drawn, zoneFields));
  return judge(events, drawn.expect, { startAt: START_AT, everyS: drawn.everyS, dwellS: drawn.dwellS });
}
