import { describe, expect, it } from 'vitest';
import type { BinObservation, RuleEvent } from '../../core/types.js';
import { stepBinSite, type BinSiteState } from '../../rules/bin_site.js';
import { binSiteZoneSchema } from '../../rules/schema.js';
import { T0 } from './fixtures.js';

const MIN = 60_000;
const site = (fields: Record<string, unknown>) =>
  binSiteZoneSchema.parse({ id: 'bin-1', kind: 'bin_site', polygon: [[0.2, 0.2], [0.5, 0.2], [0.5, 0.6], [0.2, 0.6]], ...fields });

/** Feeds one observation per 5 minutes: O overflowing, N normal, S skipped, . none. */
function feed(pattern: string, zone = site({})): RuleEvent[] {
  let state: BinSiteState | undefined;
  const events: RuleEvent[] = [];
  [...pattern].forEach((c, i) => {
    const ts = T0 + i * 5 * MIN;
    const obs: BinObservation | undefined =
      c === '.' ? undefined : { ts, state: c === 'O' ? 'overflowing' : c === 'N' ? 'normal' : 'skipped', score: 0.9, decidedBy: c === 'S' ? 'exposure' : 'generic' };
    const out = stepBinSite(state, obs, zone, { cameraId: 'cam-1', timezone: 'Asia/Shanghai', ts, frameSize: { width: 640, height: 480 } });
    state = out.state;
    events.push(...out.events);
  });
  return events;
}

describe('bin_site', () => {
  it('confirms when overflowing persists for the duration (default 20m), then clears after 2 normal samples', () => {
    const events = feed('NNOOOOOOONNN');
    expect(events.map((e) => [e.type, (e.ts - T0) / MIN])).toEqual([
      ['confirmed', 30],
      ['cleared', 50],
    ]);
    expect(events[0]).toMatchObject({ kind: 'bin_overflow', firstSeen: T0 + 10 * MIN, incidentId: `cam-1:bin-1:${T0 + 10 * MIN}` });
  });

  it('does not confirm a state that flips back before persisting', () => {
    expect(feed('OOONOOONOOO')).toEqual([]);
  });

  it('neither counts nor resets on skipped (dark) samples', () => {
    const events = feed('OOSSOO', site({ persist: 4 }));
    expect(events.map((e) => e.type)).toEqual(['confirmed']);
    expect(events[0]!.ts).toBe(T0 + 25 * MIN);
  });

  it('one incident per overflow: staying overflowing emits nothing more, a single normal sample does not clear', () => {
    const events = feed('OOOOOOOOONOOOOOO', site({ persist: 3 }));
    expect(events.map((e) => e.type)).toEqual(['confirmed']);
  });

  it('a second overflow after emptying is a new incident', () => {
    const events = feed('OOONNNOOO', site({ persist: 3, clear_after: '5m' }));
    expect(events.map((e) => e.type)).toEqual(['confirmed', 'cleared', 'confirmed']);
    expect(events[0]!.incidentId).not.toBe(events[2]!.incidentId);
  });
});
