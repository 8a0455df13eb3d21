import { parseArgs } from 'node:util';
import { configJsonSchema } from '../../config/schema.js';
import { configPath, loadConfig } from '../../config/load.js';
import { redactUrl } from '../../streams/redact.js';

export const summary = 'config schema | config check [--config FILE]: print the JSON Schema, or validate a config';

export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: 'string' } } });
  switch (positionals[0]) {
    case 'schema':
      console.log(JSON.stringify(configJsonSchema(), null, 2));
      return 0;
    case 'check': {
      const path = configPath(values.config);
      const cfg = loadConfig(path);
      console.log(`${path}: valid, ${cfg.cameras.length} camera(s)`);
      for (const c of cfg.cameras) console.log(`  ${c.id}  ${redactUrl(c.url)}  zones: ${c.zones.map((z) => `${z.id}(${z.kind})`).join(', ') || 'none'}`);
      return 0;
    }
    default:
      console.error('usage: weisu config schema | weisu config check [--config FILE]');
      return 2;
  }
}
