import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import { ConfigError } from '../../core/errors.js';
import { platesSchema } from '../../plates/schema.js';

const base = 'public_url: http://127.0.0.1:8080\n';

describe('plates config', () => {
  it('has working defaults', () => {
    const c = platesSchema.parse({});
    expect(c).toMatchObject({ enabled: true, formats: ['cn', 'cn_nev', 'de', 'dk', 'fr', 'it', 'nl', 'es', 'uk'], min_plate_height: 10, confidence_floor: 0.8, long_side: 960, cooldown: 30 * 60_000 });
  });

  it('parses a full section from YAML', () => {
    const cfg = parseConfig(`${base}plates:\n  formats: [cn, cn_nev]\n  custom_formats:\n    - { name: nl, pattern: '^([A-Z]{2}) ?([0-9]{3}) ?([A-Z])$', display: '$1-$2-$3' }\n  min_plate_height: 14\n  confidence_floor: 0.9\n  long_side: 640\n  cooldown: 2h\n`);
    expect(cfg.plates).toMatchObject({ formats: ['cn', 'cn_nev'], min_plate_height: 14, confidence_floor: 0.9, long_side: 640, cooldown: 7_200_000 });
    expect(cfg.plates.custom_formats[0]!.name).toBe('nl');
  });

  it.each([
    ['formats: [xx]', 'plates.formats[0]', /unknown plate format/],
    ['custom_formats: [{ name: nl, pattern: "([A-Z", display: "$1" }]', 'plates.custom_formats[0].pattern', /not a valid regular expression/],
    ['custom_formats: [{ name: cn, pattern: "^A$", display: "$&" }]', 'plates.custom_formats[0].name', /defined twice/],
    ['formats: []', 'plates.formats', /no plate format is enabled/],
    ['confidence_floor: 1.5', 'plates.confidence_floor', /./],
    ['long_side: 100', 'plates.long_side', /./],
    ['cooldown: 0s', 'plates.cooldown', /greater than zero/],
    ['colour: blue', 'plates.colour', /unknown key/],
  ])('rejects %s naming %s', (yaml, field, message) => {
    try {
      parseConfig(`${base}plates:\n  ${yaml}\n`);
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const issue = (e as ConfigError).issues.find((i) => i.field === field);
      expect(issue, JSON.stringify((e as ConfigError).issues)).toBeDefined();
      expect(issue!.message).toMatch(message);
    }
  });
});
