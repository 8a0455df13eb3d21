import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvidenceStore } from '../../alerts/evidence_store.js';
import { acceptIncident } from '../../alerts/intake.js';
import { STORE_KINDS } from '../support/postgres.js';
import { confirmedMessage } from '../alerts/fixtures.js';
import { auth, startIncidentApi, type Harness } from './harness.js';

/**
 * Repeat offenders per plate and week, and a plate's history, from incidents taken in by alerts' real
 * intake (cooldown included): what the hotline sees when it decides to warn or fine an owner.
 */
const local = (iso: string) => Date.parse(`${iso}+08:00`);

describe.each(STORE_KINDS)('plates API on %s', (kind) => {
  let h: Harness;
  const get = (url: string, token = h.tokens.viewer) => h.app.inject({ method: 'GET', url, headers: auth(token) });

  beforeAll(async () => {
    h = await startIncidentApi(kind);
    const evidence = new EvidenceStore({ dir: mkdtempSync(join(tmpdir(), 'weisu-plates-api-')), publicUrl: h.config.public_url, ttlMs: 60_000 });
    // Week of Monday 2026-11-23 in Asia/Shanghai.
    const parked: [string, string, string][] = [
      ['z1', '2026-11-23T10:00:00', '浙G·Z6825'],
      ['z2', '2026-11-23T10:10:00', '浙GZ6825'], // moved to the next spot: the same offence
      ['z3', '2026-11-25T09:00:00', '浙G·Z6825'],
      ['z4', '2026-11-27T18:00:00', '浙G·Z6825'],
      ['l1', '2026-11-24T08:00:00', '辽F·12345'],
      ['d1', '2026-11-29T23:30:00', 'DR 68651'], // Sunday night: this week
      ['d2', '2026-11-30T00:40:00', 'DR 68651'], // Monday: the next week
    ];
    for (const [id, at, plate] of parked) {
      const m = confirmedMessage({ id: `jinjiang-north:gate:${id}` });
      const t = local(at);
      m.event = { ...m.event, firstSeen: t - 300_000, confirmedAt: t, lastSeen: t, ts: t };
      m.plate = { text: plate, confidence: 0.95, format: 'cn', votes: 2 } as typeof m.plate;
      await acceptIncident({ db: h.db, config: h.config, evidence }, m);
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists the week’s repeat offenders, a car moved within the cooldown counting once, weeks starting Monday in the city’s zone', async () => {
    for (const day of ['2026-11-23', '2026-11-29']) {
      const res = await get(`/api/v1/plates/repeat-offenders?week=${day}&tz=Asia/Shanghai`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.week_start).toBe('2026-11-22T16:00:00.000Z');
      expect(body.week_end).toBe('2026-11-29T16:00:00.000Z');
      expect(body.items).toEqual([
        {
          plate: '浙G·Z6825',
          plate_key: '浙GZ6825',
          offences: 3,
          cameras: ['jinjiang-north'],
          incident_ids: ['z1', 'z3', 'z4'].map((i) => `jinjiang-north:gate:${i}`),
          first_at: new Date(local('2026-11-23T10:00:00')).toISOString(),
          last_at: new Date(local('2026-11-27T18:00:00')).toISOString(),
        },
      ]);
    }
    const everyone = (await get('/api/v1/plates/repeat-offenders?week=2026-11-25&min_offences=1')).json();
    expect(everyone.items.map((o: { plate_key: string; offences: number }) => [o.plate_key, o.offences])).toEqual([
      ['浙GZ6825', 3],
      ['DR68651', 1],
      ['辽F12345', 1],
    ]);
    const nextWeek = (await get('/api/v1/plates/repeat-offenders?week=2026-11-30&min_offences=1')).json();
    expect(nextWeek.items.map((o: { plate: string }) => o.plate)).toEqual(['DR 68651']);
  });

  it('shows one plate’s history however it is written, repeats pointing at their ticketed offence', async () => {
    const res = await get(`/api/v1/plates/${encodeURIComponent('浙g-z6825')}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.plate_key).toBe('浙GZ6825');
    expect(body.offences).toBe(3);
    expect(body.items.map((s: { incident_id: string }) => s.incident_id.split(':')[2])).toEqual(['z4', 'z3', 'z2', 'z1']);
    expect(body.items[2]).toMatchObject({ plate: '浙GZ6825', repeat_of: 'jinjiang-north:gate:z1', camera_id: 'jinjiang-north', zone_id: 'gate', format: 'cn' });
    expect(body.items[2].confidence).toBeCloseTo(0.95, 5);
    expect((await get('/api/v1/plates/ZZ999')).json()).toEqual({ plate_key: 'ZZ999', offences: 0, items: [] });
  });

  it('refuses a bad week, time zone or plate with a problem naming the field', async () => {
    for (const [url, field] of [
      ['/api/v1/plates/repeat-offenders?week=2026-13-01', 'week'],
      ['/api/v1/plates/repeat-offenders?week=2026-02-30', 'week'],
      ['/api/v1/plates/repeat-offenders?week=last', 'week'],
      ['/api/v1/plates/repeat-offenders?tz=Mars/Olympus', 'tz'],
      ['/api/v1/plates/repeat-offenders?min_offences=0', 'min_offences'],
      ['/api/v1/plates/repeat-offenders?weeks=2026-11-23', 'weeks'],
      [`/api/v1/plates/${encodeURIComponent('·')}`, 'plate'],
      [`/api/v1/plates/${'A'.repeat(40)}`, 'plate'],
    ] as const) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json(), url).toMatchObject({ status: 400, field });
    }
  });
});
