import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding weisu's package.json, found by walking up from this file, so the same code finds
 * non-TypeScript assets (console build, model manifests) whether it runs from sources (tsx) or from dist/.
 */
export const packageRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('weisu: cannot find its package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();
