import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { fieldIssues, fieldPath } from '../core/zod_messages.js';
import { configSchema, type WeisuConfig } from './schema.js';

export { fieldPath };

/** zod issues → ConfigError naming each field. Unknown keys get their own path named. */
export function toConfigError(err: z.ZodError, what: string, input?: unknown): ConfigError {
  return new ConfigError(`${what} is invalid`, fieldIssues(err.issues, input).map(({ path: _path, ...issue }) => issue));
}

/** Expands `${VAR}` in every string of the parsed document; a missing variable names the field that needs it. */
export function expandEnv(node: unknown, env: NodeJS.ProcessEnv, path: PropertyKey[] = []): unknown {
  if (typeof node === 'string') {
    return node.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) {
        throw new ConfigError('configuration refers to an unset environment variable', [
          { field: fieldPath(path), message: `\${${name}} is not set: export ${name}=... before starting weisu` },
        ]);
      }
      return v;
    });
  }
  if (Array.isArray(node)) return node.map((v, i) => expandEnv(v, env, [...path, i]));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, expandEnv(v, env, [...path, k])]));
  }
  return node;
}

export function parseConfig(text: string, source = 'configuration', env: NodeJS.ProcessEnv = process.env): WeisuConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
    throw new ConfigError(`${source} is not valid YAML${where}`, [{ field: '', message: (e as Error).message }]);
  }
  const expanded = expandEnv(doc ?? {}, env);
  const result = configSchema.safeParse(expanded);
  if (!result.success) throw toConfigError(result.error, source, expanded);
  return result.data;
}

export function configPath(flag?: string): string {
  return flag ?? process.env.WEISU_CONFIG ?? './weisu.yaml';
}

export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): WeisuConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read configuration file ${path}`, [
      { field: '', message: `${(e as NodeJS.ErrnoException).code ?? 'error'}: pass --config FILE or set WEISU_CONFIG` },
    ]);
  }
  const cfg = parseConfig(text, path, env);
  // Relative paths mean relative to the config file, wherever weisu is started: serve and its workers
  // started from different folders still share one data_dir (and so find the embedded Redis).
  if (!isAbsolute(cfg.data_dir)) cfg.data_dir = resolve(dirname(path), cfg.data_dir);
  for (const cam of cfg.cameras) {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(cam.url) && !isAbsolute(cam.url)) cam.url = resolve(dirname(path), cam.url);
  }
  return cfg;
}
