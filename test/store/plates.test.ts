import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../store/db.js';
import { isRepeatWithinCooldown, plateHistory, recordPlate, repeatOffenders, weekStart } from '../../store/plates.js';
import { openTestDb, STORE_KINDS } from '../support/postgres.js';

const MIN = 60_000;
const DAY = 86_400_000;
// Monday 2026-11-23 00:00 in Asia/Shanghai (UTC+8).
const MONDAY = Date.UTC(2026, 10, 22, 16);
const plate = (text: string, confidence = 0.97) => ({ text, format: text.includes('·') ? 'cn' : 'dk', confidence });

describe.each(STORE_KINDS)('store/plates on %s', (kind) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openTestDb(kind));
  });
  afterAll(async () => close?.());

  it('records a plate once per incident and audits it', async () => {
    const first = { incidentId: 'inc-a', plate: plate('浙G·Z6825'), cameraId: 'cam-1', zoneId: 'gate', at: MONDAY + 9 * 60 * MIN };
    expect(await recordPlate(db, first)).toBe(true);
    expect(await recordPlate(db, first)).toBe(false);
    const audit = await db.query<{ action: string; entity_id: string }>("SELECT action, entity_id FROM audit WHERE actor = 'plates'");
    expect(audit).toEqual([{ action: 'plate_read', entity_id: 'inc-a' }]);
  });

  it('the same plate within the cooldown is a repeat, however it was written, on any camera unless one is named', async () => {
    const at = MONDAY + 9 * 60 * MIN + 20 * MIN;
    const prior = await isRepeatWithinCooldown(db, '浙GZ6825', undefined, at, 30 * MIN);
    expect(prior).toMatchObject({ incidentId: 'inc-a', plateText: '浙G·Z6825', cameraId: 'cam-1', zoneId: 'gate', repeatOf: null });
    expect(prior!.atMs).toBe(MONDAY + 9 * 60 * MIN);
    expect(await isRepeatWithinCooldown(db, '浙G·Z6825', 'cam-1', at, 30 * MIN)).not.toBeNull();
    expect(await isRepeatWithinCooldown(db, '浙G·Z6825', 'cam-2', at, 30 * MIN)).toBeNull();
    expect(await isRepeatWithinCooldown(db, '浙G·Z6826', undefined, at, 30 * MIN)).toBeNull();
    // After the cooldown, or before the first offence: not a repeat.
    expect(await isRepeatWithinCooldown(db, '浙G·Z6825', undefined, at + 20 * MIN, 30 * MIN)).toBeNull();
    expect(await isRepeatWithinCooldown(db, '浙G·Z6825', undefined, MONDAY, 30 * MIN)).toBeNull();
    // An incident is never its own repeat (re-delivery).
    expect(await isRepeatWithinCooldown(db, '浙G·Z6825', undefined, at, 30 * MIN, { excludeIncidentId: 'inc-a' })).toBeNull();
  });

  it('the cooldown runs from the ticketed offence: a car hopping spots cannot stretch it', async () => {
    const t0 = MONDAY + 9 * 60 * MIN;
    await recordPlate(db, { incidentId: 'inc-b', plate: plate('浙G·Z6825'), cameraId: 'cam-2', at: t0 + 20 * MIN, repeatOf: 'inc-a' });
    const audit = await db.query<{ reason: string }>("SELECT reason FROM audit WHERE entity_id = 'inc-b'");
    expect(audit[0]!.reason).toMatch(/same plate as incident inc-a/);
    // 40 min after the offence, 20 min after the repeat: a new offence.
    expect(await isRepeatWithinCooldown(db, '浙G·Z6825', undefined, t0 + 40 * MIN, 30 * MIN)).toBeNull();
  });

  it('lists repeat offenders of a week: repeats within a cooldown count once, other weeks not at all', async () => {
    await recordPlate(db, { incidentId: 'inc-c', plate: plate('浙G·Z6825'), cameraId: 'cam-3', at: MONDAY + 2 * DAY });
    await recordPlate(db, { incidentId: 'inc-d', plate: plate('浙G·Z6825'), cameraId: 'cam-1', at: MONDAY + 6 * DAY + 23 * 60 * MIN });
    await recordPlate(db, { incidentId: 'inc-e', plate: plate('浙G·Z6825'), cameraId: 'cam-1', at: MONDAY + 7 * DAY }); // next week
    await recordPlate(db, { incidentId: 'inc-f', plate: plate('DR 68651'), cameraId: 'cam-1', at: MONDAY + DAY });
    await recordPlate(db, { incidentId: 'inc-g', plate: plate('DR 68 651'), cameraId: 'cam-2', at: MONDAY + 3 * DAY });
    await recordPlate(db, { incidentId: 'inc-h', plate: plate('辽F·12345'), cameraId: 'cam-1', at: MONDAY + DAY }); // once only

    const week = await repeatOffenders(db, MONDAY);
    expect(week).toEqual([
      { plateKey: '浙GZ6825', plateText: '浙G·Z6825', offences: 3, cameras: ['cam-1', 'cam-3'], incidentIds: ['inc-a', 'inc-c', 'inc-d'], firstAtMs: MONDAY + 9 * 60 * MIN, lastAtMs: MONDAY + 6 * DAY + 23 * 60 * MIN },
      { plateKey: 'DR68651', plateText: 'DR 68 651', offences: 2, cameras: ['cam-1', 'cam-2'], incidentIds: ['inc-f', 'inc-g'], firstAtMs: MONDAY + DAY, lastAtMs: MONDAY + 3 * DAY },
    ]);
    expect((await repeatOffenders(db, MONDAY, { minOffences: 1 })).map((r) => r.plateKey)).toContain('辽F12345');
    expect(await repeatOffenders(db, MONDAY + 7 * DAY)).toEqual([]);
  });

  it('gives a plate’s history, repeats included, newest first', async () => {
    const history = await plateHistory(db, '浙G Z6825');
    expect(history.map((h) => [h.incidentId, h.repeatOf])).toEqual([['inc-e', null], ['inc-d', null], ['inc-c', null], ['inc-b', 'inc-a'], ['inc-a', null]]);
    expect(await plateHistory(db, '浙G·Z6825', { limit: 2 })).toHaveLength(2);
    expect(await plateHistory(db, '京A·00000')).toEqual([]);
  });
});

describe('weekStart', () => {
  it('is Monday 00:00 in the city time zone', () => {
    expect(weekStart(MONDAY + 3 * DAY + 5 * 60 * MIN)).toBe(MONDAY);
    expect(weekStart(MONDAY)).toBe(MONDAY);
    // Sunday 23:59 local is still the same week; a minute before Monday is the previous one.
    expect(weekStart(MONDAY + 7 * DAY - MIN)).toBe(MONDAY);
    expect(weekStart(MONDAY - MIN)).toBe(MONDAY - 7 * DAY);
  });

  it('follows daylight saving in zones that have it', () => {
    // Berlin changes to winter time on Sunday 2026-10-25; Monday 2026-10-26 00:00 CET is 23:00 UTC on the 25th.
    expect(weekStart(Date.UTC(2026, 9, 28, 12), 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 25, 23));
    // Monday 2026-10-19 00:00 CEST is 22:00 UTC on the 18th, though the week ends in winter time.
    expect(weekStart(Date.UTC(2026, 9, 25, 12), 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 18, 22));
  });
});
