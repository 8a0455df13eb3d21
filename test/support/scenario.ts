import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as compose from '../../sample/compose.js';

/** Scenario videos for tests and the eval: sample/compose.ts, written into temp dirs of this process. */
export { actorBoxes, emptyStreet, parkedCar, passingVehicle, prng, SPRITES, STREET, type Actor, type Scenario, type SpriteName, type SpriteSource, type Waypoint } from '../../sample/compose.js';

const ROOT = join(tmpdir(), `weisu-scenarios-${process.pid}`);

/** A temp dir of this process for scenario files (never inside the repo). */
export function scenarioDir(): string {
  mkdirSync(ROOT, { recursive: true });
  return mkdtempSync(join(ROOT, 'run-'));
}

export function removeScenarioDirs(): void {
  rmSync(ROOT, { recursive: true, force: true });
}

export function buildScenario(s: compose.Scenario, dir = scenarioDir()): Promise<string> {
  return compose.buildScenario(s, dir);
}

export function buildStills(name: string, stills: Parameters<typeof compose.buildStills>[1], dir = scenarioDir()): Promise<string> {
  return compose.buildStills(name, stills, dir);
}
