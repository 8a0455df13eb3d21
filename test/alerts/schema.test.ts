import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import { ConfigError } from '../../core/errors.js';

function issues(yaml: string): { field: string; message: string }[] {
  try {
    parseConfig(`public_url: http://127.0.0.1:8080\n${yaml}`, 'test', {});
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('config was accepted');
}

const OPEN311 = `case_api:
  kind: open311
  endpoint: http://127.0.0.1:9311/v2
  api_key: k
`;

const JSON_API = (body: string, extra = '') => `case_api:
  kind: json
  url: https://12345.example.gov.cn/api/cases
  headers: { Authorization: "Bearer abc" }
  categories:
    illegal_parking: { major: "03", minor: "0301" }
    bin_overflow: { major: "01", minor: "0105" }
  case_id_path: data.caseId
  body:
${body}
${extra}`;

describe('alerts and case_api config', () => {
  it('accepts the issue\'s Open311 example and fills alerts defaults', () => {
    const cfg = parseConfig(`public_url: http://127.0.0.1:8080\n${OPEN311}  service_codes: { illegal_parking: "IP-01", bin_overflow: "SW-07" }\n`, 'test', {});
    expect(cfg.case_api).toMatchObject({ kind: 'open311', endpoint: 'http://127.0.0.1:9311/v2/', timeout: 15_000 });
    expect(cfg.alerts.modes).toEqual({ no_parking: 'auto', bin_overflow: 'auto' });
    expect(cfg.alerts.outbox).toMatchObject({ attempts: 10, base_delay: 5000 });
    expect(cfg.alerts.evidence.blur_people).toBe(true);
  });

  it('names a missing service code', () => {
    expect(issues(`${OPEN311}  service_codes: { illegal_parking: "IP-01" }\n`)).toEqual([
      expect.objectContaining({ field: 'case_api.service_codes.bin_overflow', message: expect.stringContaining('service code for bin_overflow is missing'), code: 'required' }),
    ]);
  });

  it('names an endpoint that is not a URL', () => {
    expect(issues(`case_api:\n  kind: open311\n  endpoint: 127.0.0.1:9311/v2\n  api_key: k\n  service_codes: { illegal_parking: a, bin_overflow: b }\n`)).toEqual([
      expect.objectContaining({ field: 'case_api.endpoint', message: 'case_api.endpoint must be an http:// or https:// URL' }),
    ]);
  });

  it('names a body template field that does not exist, at start', () => {
    const found = issues(JSON_API(`    案件来源: "{{source}}"\n    大类: "{{category.major}}"\n    小类: "{{categroy.minor}}"\n    照片: "{{photo_urls}}"`));
    expect(found).toHaveLength(1);
    expect(found[0]!.field).toBe('case_api.body.小类');
    expect(found[0]!.message).toContain('unknown template field "{{categroy.minor}}"');
  });

  it('accepts a full 12345-style body template', () => {
    const cfg = parseConfig(
      `public_url: http://127.0.0.1:8080\n${JSON_API(`    案件来源: "{{source}}"\n    大类代码: "{{category.major}}"\n    小类代码: "{{category.minor}}"\n    网格: "{{grid}}"\n    街道: "{{street}}"\n    经度: "{{lon}}"\n    纬度: "{{lat}}"\n    地址: "{{address}}"\n    问题描述: "{{description}}"\n    图片: "{{photo_urls}}"\n    外部编号: "{{ref}}"`, '  lookup: { url: "https://12345.example.gov.cn/api/cases?ext={{ref}}", case_id_path: "data[0].caseId" }')}`,
      'test',
      {},
    );
    expect(cfg.case_api?.kind).toBe('json');
  });

  it('names a bad mode, a short webhook secret and an unknown alerts key', () => {
    const found = issues(`alerts:\n  modes: { no_parking: sometimes }\n  webhooks: [{ id: crew, url: "http://127.0.0.1:1/h", secret: short }]\n  retries: 3\n`);
    expect(found.map((i) => i.field).sort()).toEqual(['alerts.modes.no_parking', 'alerts.retries', 'alerts.webhooks[0].secret']);
    expect(found.find((i) => i.field === 'alerts.retries')!.message).toContain('unknown key "retries"');
  });

  it('accepts the examples in alerts/README.md', () => {
    const readme = readFileSync(new URL('../../alerts/README.md', import.meta.url), 'utf8');
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const env = { OPEN311_API_KEY: 'k', CREW_SECRET: 'c'.repeat(20), OVERSIGHT_SECRET: 'o'.repeat(20), CITY_TOKEN: 't' };
    for (const b of blocks) expect(() => parseConfig(`public_url: http://127.0.0.1:8080\n${b}`, 'README', env)).not.toThrow();
  });
});
