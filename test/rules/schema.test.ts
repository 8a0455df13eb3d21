import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import { ConfigError } from '../../core/errors.js';
import { timezoneSchema } from '../../rules/schema.js';

/** Zone configuration errors, through the real config loader: each names its field. */
const BASE = `
public_url: http://127.0.0.1:8080
cameras:
  - id: cam-1
    url: rtsp://127.0.0.1:8554/cam1
    location: { lat: 40.1, lon: 124.3 }
    zones:
      - id: gate
        kind: no_parking
        polygon: [[0.1,0.55],[0.6,0.55],[0.6,0.95],[0.1,0.95]]
        dwell: 5m
ZONE`;

function issues(zoneExtra: string): { field: string; message: string }[] {
  try {
    parseConfig(BASE.replace('ZONE', zoneExtra), 'test', {});
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
}

const F = 'cameras[0].zones[0]';

describe('zone configuration', () => {
  it('accepts the full no_parking and bin_site schemas with defaults filled in', () => {
    const cfg = parseConfig(
      BASE.replace(
        'ZONE',
        `        schedule: { windows: ["mon-fri 07:00-19:00", "sat 09:00-12:00"], except: ["2026-10-01..2026-10-07"] }
        cooldown: 10m
        clear_grace: 1m
        presence: overlap
      - id: bin-a
        kind: bin_site
        polygon: [[0.7,0.1],[0.9,0.1],[0.9,0.4],[0.7,0.4]]
        persist: 4`,
      ),
      'test',
      {},
    );
    const [np, bin] = cfg.cameras[0]!.zones;
    expect(np).toMatchObject({ dwell: 300_000, cooldown: 600_000, clear_grace: 60_000, max_hidden: 300_000, presence: 'overlap', classes: ['car', 'truck', 'bus', 'motorcycle'] });
    expect(np?.kind === 'no_parking' && np.schedule?.windows).toHaveLength(2);
    expect(bin).toMatchObject({ persist: { samples: 4 }, clear_after: { samples: 2 }, model: 'bin-fullness-yolov8n-cls-256', calibration_k: 3 });
  });

  it('rejects a self-intersecting, an empty and an outside-the-frame polygon', () => {
    expect(issues('').length).toBe(0);
    const bowtie = BASE.replace('[[0.1,0.55],[0.6,0.55],[0.6,0.95],[0.1,0.95]]', '[[0.1,0.55],[0.6,0.95],[0.6,0.55],[0.1,0.95]]');
    const line = BASE.replace('[[0.1,0.55],[0.6,0.55],[0.6,0.95],[0.1,0.95]]', '[[0.1,0.1],[0.5,0.5],[0.9,0.9]]');
    const outside = BASE.replace('[0.6,0.95]', '[1.6,0.95]');
    const of = (text: string) => {
      try {
        parseConfig(text.replace('ZONE', ''), 'test', {});
      } catch (e) {
        return (e as ConfigError).issues;
      }
      return [];
    };
    expect(of(bowtie)[0]).toMatchObject({ field: `${F}.polygon`, message: expect.stringMatching(/crosses itself/) });
    expect(of(line)[0]).toMatchObject({ field: `${F}.polygon`, message: expect.stringMatching(/empty/) });
    expect(of(outside)[0]).toMatchObject({ field: `${F}.polygon[2][0]` });
  });

  it('rejects a zero or negative dwell, naming dwell', () => {
    for (const bad of ['0s', '-5m']) {
      const text = BASE.replace('dwell: 5m', `dwell: ${bad}`).replace('ZONE', '');
      let caught: ConfigError | undefined;
      try {
        parseConfig(text, 'test', {});
      } catch (e) {
        caught = e as ConfigError;
      }
      expect(caught?.issues[0]).toMatchObject({ field: `${F}.dwell`, message: expect.stringMatching(/greater than zero/) });
    }
  });

  it('rejects schedules that do not parse, naming the window or date', () => {
    expect(issues('        schedule: { windows: ["weekdays 7am-7pm"] }')[0]).toMatchObject({ field: `${F}.schedule.windows[0]`, message: expect.stringMatching(/HH:MM/) });
    expect(issues('        schedule: { windows: [] }')[0]).toMatchObject({ field: `${F}.schedule.windows` });
    expect(issues('        schedule: { windows: ["07:00-19:00"], except: ["1 Oct"] }')[0]).toMatchObject({ field: `${F}.schedule.except[0]` });
    expect(issues('        schedule: { windows: ["07:00-19:00"], days: [mon] }')[0]).toMatchObject({ field: `${F}.schedule.days` });
  });

  it('rejects bad persistence, grace and fractions, naming each', () => {
    expect(issues('        clear_grace: 0s')[0]).toMatchObject({ field: `${F}.clear_grace`, message: expect.stringMatching(/greater than zero/) });
    expect(issues('        tuning: { look_hue: 2 }')[0]).toMatchObject({ field: `${F}.tuning.look_hue`, message: expect.stringMatching(/fraction/) });
    expect(issues('        tuning: { anchor_window: 20 }')[0]).toMatchObject({ field: `${F}.tuning.anchor_window` });
    expect(issues('        stationary_iou: 1.5')[0]).toMatchObject({ field: `${F}.stationary_iou` });
    expect(issues('        presence: center')[0]).toMatchObject({ field: `${F}.presence` });
    expect(issues('        cooldown: soon')[0]).toMatchObject({ field: `${F}.cooldown` });
  });

  it('refuses a grace or survival window counted in samples, naming the field and the fix (its meaning would change with the sampling rate)', () => {
    for (const field of ['clear_grace', 'max_hidden']) {
      expect(issues(`        ${field}: 3`)[0]).toMatchObject({ field: `${F}.${field}`, message: expect.stringMatching(/not a number of samples.*duration such as/) });
    }
  });
});

describe('timezoneSchema', () => {
  it('accepts IANA names and refuses the rest', () => {
    expect(timezoneSchema.safeParse('Asia/Shanghai').success).toBe(true);
    expect(timezoneSchema.safeParse('UTC').success).toBe(true);
    expect(timezoneSchema.safeParse('Asia/Shangai').error?.issues[0]?.message).toMatch(/IANA time zone/);
  });
});
