import type { CaseApiConfig } from '../schema.js';
import { jsonAdapter } from './json.js';
import { open311Adapter } from './open311.js';
import type { CaseAdapter } from './types.js';

/** The adapter the config's `case_api.kind` names. */
export function createAdapter(cfg: CaseApiConfig): CaseAdapter {
  switch (cfg.kind) {
    case 'open311':
      return open311Adapter(cfg);
    case 'json':
      return jsonAdapter(cfg);
  }
}
