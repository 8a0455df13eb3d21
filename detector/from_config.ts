import type { Point } from '../core/geometry.js';
import { createDetector, type Detector } from './detector.js';
import { regionsFromConfig } from './regions.js';
import type { DetectorConfig } from './schema.js';

/**
 * The one way a configured detector is made: the worker, `weisu detect`, replay and the eval all call this,
 * so the path measured by the eval is the path that files tickets. `zonesOf` gives a camera's zones for
 * `regions: { mode: zones }` (callers without zones leave it out).
 */
export function detectorFromConfig(cfg: DetectorConfig, opts: { modelsDir: string; maxBatch?: number; zonesOf?: (cameraId: string) => Point[][] | undefined }): Promise<Detector> {
  return createDetector({
    modelsDir: opts.modelsDir,
    model: cfg.model,
    threads: cfg.threads,
    scoreThreshold: cfg.score_threshold,
    maxBatch: opts.maxBatch,
    regionsFor: regionsFromConfig(cfg.regions, opts.zonesOf ?? (() => undefined)),
    minRegionGain: cfg.regions?.min_gain,
  });
}
