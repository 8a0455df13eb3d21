import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { loadConfig, parseConfig } from '../../config/load.js';
import { configJsonSchema } from '../../config/schema.js';

const VALID = `
public_url: http://127.0.0.1:8080
cameras:
  - id: jinjiang-north
    name: Jinjiang Rd north gate
    url: rtsp://user:secret@127.0.0.1:8554/cam1
    location: { lat: 40.129, lon: 124.394, address: "Jinjiang Rd 1" }
    sample_every: 10s
    zones:
      - id: gate
        kind: no_parking
        polygon: [[0.1,0.55],[0.6,0.55],[0.6,0.95],[0.1,0.95]]
        dwell: 5m
case_api:
  kind: open311
  endpoint: http://127.0.0.1:9311/v2/
  api_key: \${OPEN311_API_KEY}
  service_codes: { illegal_parking: "IP-01", bin_overflow: "SW-07" }
`;

function issuesOf(text: string, env: NodeJS.ProcessEnv = { OPEN311_API_KEY: 'k' }): { field: string; message: string }[] {
  try {
    parseConfig(text, 'test', env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected the config to be rejected');
}

describe('config loading', () => {
  it('accepts the documented shape, expands ${VAR} and parses durations', () => {
    const cfg = parseConfig(VALID, 'test', { OPEN311_API_KEY: 'sekret' });
    const cam = cfg.cameras[0]!;
    expect(cam.sample_every).toBe(10_000);
    expect(cam.zones[0]).toMatchObject({ id: 'gate', kind: 'no_parking', dwell: 300_000 });
    expect(cfg.case_api).toMatchObject({ api_key: 'sekret', endpoint: 'http://127.0.0.1:9311/v2/' });
  });

  it('accepts 500ms and 2m sampling intervals', () => {
    expect(parseConfig(VALID.replace('sample_every: 10s', 'sample_every: 500ms'), 't', { OPEN311_API_KEY: 'k' }).cameras[0]!.sample_every).toBe(500);
    expect(parseConfig(VALID.replace('sample_every: 10s', 'sample_every: 2m'), 't', { OPEN311_API_KEY: 'k' }).cameras[0]!.sample_every).toBe(120_000);
  });

  it('names an unset environment variable and the field that needs it', () => {
    const issues = issuesOf(VALID, {});
    expect(issues[0]!.field).toBe('case_api.api_key');
    expect(issues[0]!.message).toContain('OPEN311_API_KEY');
  });

  it('rejects extra keys with their full path', () => {
    const issues = issuesOf(VALID.replace('dwell: 5m', 'dwell: 5m\n        colour: red'));
    expect(issues).toContainEqual(expect.objectContaining({ field: 'cameras[0].zones[0].colour' }));
  });

  it('rejects a zone with fewer than 3 points or coordinates outside 0..1', () => {
    expect(issuesOf(VALID.replace('[[0.1,0.55],[0.6,0.55],[0.6,0.95],[0.1,0.95]]', '[[0.1,0.5],[0.6,0.5]]'))).toContainEqual(
      expect.objectContaining({ field: 'cameras[0].zones[0].polygon' }),
    );
    const outside = issuesOf(VALID.replace('[0.6,0.95]', '[1.6,0.95]'));
    expect(outside[0]!.field).toBe('cameras[0].zones[0].polygon[2][0]');
    expect(outside[0]!.message).toMatch(/between 0 and 1/);
  });

  it('rejects self-intersecting and empty polygons', () => {
    const bowtie = issuesOf(VALID.replace('[[0.1,0.55],[0.6,0.55],[0.6,0.95],[0.1,0.95]]', '[[0.1,0.55],[0.6,0.95],[0.6,0.55],[0.1,0.95]]'));
    expect(bowtie[0]).toMatchObject({ field: 'cameras[0].zones[0].polygon' });
    expect(bowtie[0]!.message).toMatch(/crosses itself/);
    const flat = issuesOf(VALID.replace('[[0.1,0.55],[0.6,0.55],[0.6,0.95],[0.1,0.95]]', '[[0.1,0.5],[0.3,0.5],[0.6,0.5]]'));
    expect(flat[0]!.message).toMatch(/empty/);
  });

  it('rejects a zero or malformed dwell and a bad camera id, naming each field', () => {
    const issues = issuesOf(VALID.replace('dwell: 5m', 'dwell: 0s').replace('id: jinjiang-north', 'id: Jinjiang North'));
    expect(issues.map((i) => i.field).sort()).toEqual(['cameras[0].id', 'cameras[0].zones[0].dwell']);
    expect(issuesOf(VALID.replace('dwell: 5m', 'dwell: five minutes'))[0]!.message).toMatch(/number and a unit/);
  });

  it('rejects duplicate camera ids', () => {
    const twice = VALID.replace('case_api:', `  - id: jinjiang-north\n    url: /tmp/x.mp4\n    location: { lat: 1, lon: 2 }\ncase_api:`);
    expect(issuesOf(twice)).toContainEqual(expect.objectContaining({ field: 'cameras[1].id' }));
  });

  it('reports YAML syntax errors with a line number', () => {
    expect(() => parseConfig('cameras: [\n  - id: x\n', 'broken.yaml', {})).toThrow(/broken.yaml is not valid YAML at line/);
  });

  it('resolves a relative file camera and data_dir against the config file, and names a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weisu-cfg-'));
    writeFileSync(join(dir, 'w.yaml'), 'public_url: http://127.0.0.1:8080\ncameras:\n  - id: a\n    url: clips/a.mp4\n    location: { lat: 1, lon: 2 }\n');
    const cfg = loadConfig(join(dir, 'w.yaml'), {});
    expect(cfg.cameras[0]!.url).toBe(join(dir, 'clips/a.mp4'));
    expect(cfg.data_dir).toBe(join(dir, '.weisu'));
    expect(() => loadConfig(join(dir, 'missing.yaml'), {})).toThrow(/cannot read configuration file/);
  });

  it('generates a JSON Schema from the same zod schema, forbidding extra keys', () => {
    const schema = configJsonSchema() as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['public_url', 'cameras', 'case_api']));
  });
});
