import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { toConfigError } from '../config/load.js';
import { ConfigError, MissingDependencyError, WeisuError } from '../core/errors.js';
import { manifestSchema, type Manifest } from './manifest.js';

/**
 * The models weisu knows: the manifests shipped in models/manifests/, plus any `*.manifest.yaml|yml|json`
 * a user drops into WEISU_MODELS_DIR next to their own ONNX file (same id = the user's wins).
 */
export interface Registry {
  readonly modelsDir: string;
  list(): Manifest[];
  /** The manifest of `id`; a clear error listing the known ids otherwise. */
  get(id: string): Manifest;
  /** Absolute path of the model file (whether or not it exists yet). */
  filePath(m: Manifest): string;
}

/** Shipped manifests sit beside this file in the source tree; the compiled copy (dist/models) looks back there. */
function shippedDir(): string {
  const here = fileURLToPath(new URL('./manifests/', import.meta.url));
  return existsSync(here) ? here : fileURLToPath(new URL('../../models/manifests/', import.meta.url));
}

const MANIFEST_FILE = /\.(ya?ml|json)$/;
const USER_MANIFEST_FILE = /\.manifest\.(ya?ml|json)$/;

export function parseManifest(text: string, source: string): Manifest {
  let doc: unknown;
  try {
    doc = source.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(`model manifest ${source} is not valid ${source.endsWith('.json') ? 'JSON' : 'YAML'}`, [{ field: '', message: (e as Error).message }]);
  }
  const r = manifestSchema.safeParse(doc);
  if (!r.success) throw toConfigError(r.error, `model manifest ${source}`);
  return r.data;
}

function readManifests(dir: string, pattern: RegExp): Manifest[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => parseManifest(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
}

export function loadRegistry(modelsDir: string): Registry {
  const dir = resolve(modelsDir);
  const byId = new Map<string, Manifest>();
  for (const m of readManifests(shippedDir(), MANIFEST_FILE)) byId.set(m.id, m);
  for (const m of readManifests(dir, USER_MANIFEST_FILE)) byId.set(m.id, m);
  return {
    modelsDir: dir,
    list: () => [...byId.values()],
    get(id) {
      const m = byId.get(id);
      if (!m) {
        throw new WeisuError('model_unknown', `no model "${id}" is known`, {
          field: 'detector.model',
          fix: `use one of: ${[...byId.keys()].join(', ')} — or add ${id}.manifest.yaml beside the ONNX file in ${dir}`,
        });
      }
      return m;
    },
    filePath: (m) => join(dir, m.file),
  };
}

/** Path of the model's file, or a clear error saying how to get it. */
export function requireModelFile(reg: Registry, m: Manifest): string {
  const p = reg.filePath(m);
  if (!existsSync(p)) {
    throw new MissingDependencyError(`model file ${p} (model ${m.id})`, m.url ? `run: weisu models pull ${m.id} (or set WEISU_MODELS_DIR to the folder holding ${m.file})` : `place ${m.file} in ${reg.modelsDir} (source: ${m.source ?? 'see its manifest'}) or set WEISU_MODELS_DIR`);
  }
  return p;
}

/** WEISU_MODELS_DIR, or the shared models folder beside the checkout (as the README documents). */
export function defaultModelsDir(): string {
  return resolve(process.env.WEISU_MODELS_DIR ?? '../shared/models');
}
