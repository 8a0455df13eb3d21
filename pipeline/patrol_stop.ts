import { samplingPreset } from '../onvif/patrol_runner.js';
import type { SampledCamera } from '../queue/cameras.js';
import { presetStateKey } from '../queue/patrols.js';
import type { PatrolPort } from './ports.js';

/**
 * What one sample of a camera watches. A fixed camera: all of it, its rule state under its own id. A
 * patrolling dome: nothing between stops (travelling, settling, an operator at the joystick, or a runner
 * not heard from), else only the current preset's zones and reference views, with a rule state of that
 * preset's own (`<camera>@<preset>`), left untouched while the dome is elsewhere — so a vehicle standing at
 * the same place on consecutive visits keeps its stay from the first, and its first-seen picture is from
 * that first visit.
 */
export interface SampleScope {
  camera: SampledCamera;
  /** Key of the rule state and first-seen frames this sample reads and commits. */
  stateKey: string;
  preset?: string;
}

export async function sampleScope(camera: SampledCamera, patrols: PatrolPort, now: number): Promise<SampleScope | undefined> {
  if (!camera.patrol) return { camera, stateKey: camera.id };
  const preset = samplingPreset(await patrols.read(camera.id), now);
  if (preset === undefined) return undefined;
  const references = camera.references?.filter((r) => r.preset === preset);
  return {
    camera: { ...camera, zones: camera.zones.filter((z) => z.kind === 'no_parking' && z.preset === preset), ...(references ? { references } : {}) },
    stateKey: presetStateKey(camera.id, preset),
    preset,
  };
}
