import type { CaseApiConfig } from '../schema.js';
import { jsonAdapter } from './json.js';
import { open311Adapter } from './open311.js';
import { CaseCallError, type CaseAdapter } from './types.js';

/** The adapter the config's `case_api.kind` names, with its secrets kept out of every error it raises. */
export function createAdapter(cfg: CaseApiConfig): CaseAdapter {
  switch (cfg.kind) {
    case 'open311':
      return redacting(open311Adapter(cfg), [cfg.api_key]);
    case 'json':
      return redacting(jsonAdapter(cfg), Object.values(cfg.headers));
  }
}

/**
 * A case system may echo what it was sent ("Invalid api_key abc123"); error texts end up in the store,
 * the audit trail and the console, so every secret is replaced by *** before they leave the adapter.
 */
function redacting(adapter: CaseAdapter, secrets: string[]): CaseAdapter {
  const words = secrets.flatMap((s) => [s, ...s.split(/\s+/)]).filter((s) => s.length >= 6);
  if (!words.length) return adapter;
  const clean = (text: string) => words.reduce((t, w) => t.split(w).join('***'), text);
  const guard =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      try {
        return await fn(...a);
      } catch (e) {
        if (e instanceof CaseCallError) throw new CaseCallError(e.failure, clean(e.message));
        throw new Error(clean((e as Error).message));
      }
    };
  return {
    kind: adapter.kind,
    file: guard(adapter.file),
    lookup: adapter.lookup && guard(adapter.lookup),
    resolveToken: adapter.resolveToken && guard(adapter.resolveToken),
    status: adapter.status && guard(adapter.status),
    reopen: adapter.reopen && guard(adapter.reopen),
    check: adapter.check && guard(adapter.check),
  };
}
