import type { BinObservation, SampledFrame } from '../core/types.js';
import { cropBox, cropSites, exposureProblem, judgeGeneric, measureExposure } from '../detector/bin_observer.js';
import type { Classifier } from '../detector/classifier.js';
import { judgeByCalibration, type CalibrationSet } from '../rules/calibration.js';
import type { BinSiteZone } from '../rules/schema.js';

/**
 * Bin sites of one frame → one observation each: crop the site's box from the full-resolution frame,
 * skip crops too dark or too washed out to judge (a night frame must not read as "empty bin"), then let
 * the site's own calibration decide when it has enough labelled examples, the generic classifier otherwise.
 */
export async function observeBinSites(
  frame: SampledFrame,
  zones: BinSiteZone[],
  classifier: Classifier,
  calibration?: Record<string, CalibrationSet>,
): Promise<Record<string, BinObservation>> {
  const crops = await cropSites(frame, zones);
  const exposures = crops.map(measureExposure);
  const judged = zones.map((z, i) => !exposureProblem(exposures[i]!, z.exposure));
  const results = await classifier.classify(crops.filter((_, i) => judged[i]));
  const out: Record<string, BinObservation> = {};
  let next = 0;
  zones.forEach((zone, i) => {
    const base = { ts: frame.ts, box: cropBox(zone, frame), brightness: exposures[i]!.brightness };
    if (!judged[i]) {
      out[zone.id] = { ...base, state: 'skipped', score: 0, decidedBy: 'exposure' };
      return;
    }
    const c = results[next++]!;
    const calibrated = c.embedding ? judgeByCalibration(c.embedding, calibration?.[zone.id], zone.calibration_k) : undefined;
    out[zone.id] = calibrated
      ? { ...base, state: calibrated.state, score: calibrated.score, decidedBy: 'calibration' }
      : { ...base, ...judgeGeneric(c, zone), decidedBy: 'generic' };
  });
  return out;
}
