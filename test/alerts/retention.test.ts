import { afterEach, describe, expect, it } from 'vitest';
import { acceptIncident } from '../../alerts/intake.js';
import { purgeOldEvidence } from '../../alerts/retention.js';
import { rejectTicket } from '../../alerts/review.js';
import { transitionIncident } from '../../store/incidents.js';
import { listEvidence } from '../../store/evidence.js';
import { alertsConfig, alertsDeps, confirmedMessage, open311Yaml } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const DAY = 86_400_000;

describe('evidence retention', () => {
  it('deletes the pictures of finished incidents past alerts.evidence.keep, keeps live and shared ones, and records it', async () => {
    // No sender runs: the case system is never called.
    const deps = await alertsDeps(alertsConfig('alerts:\n  modes: { no_parking: review }\n  evidence: { keep: 30d }', open311Yaml('http://127.0.0.1:9/v2/')));
    cleanups.push(() => deps.db.close());
    const [verified, dismissed, open, sharing] = [
      confirmedMessage({ picture: 'weather/waymo_daytime_fair_weather_1.jpg' }),
      confirmedMessage({ picture: 'weather/waymo_daytime_fair_weather_2.jpg' }),
      confirmedMessage({ picture: 'weather/waymo_daytime_fair_weather_3.jpg' }),
      confirmedMessage({ picture: 'weather/waymo_daytime_fair_weather_3.jpg' }),
    ];
    // `sharing` renders byte-identical pictures to `open` (same frames, same times): one file, two incidents.
    for (const m of [verified, dismissed, open, sharing]) await acceptIncident(deps, m);
    await transitionIncident(deps.db, verified!.event.incidentId, ['open'], 'verified');
    await rejectTicket(deps.db, dismissed!.event.incidentId, 'operator:li', 'not an offence');
    await rejectTicket(deps.db, sharing!.event.incidentId, 'operator:li', 'duplicate');
    const shaOf = async (id: string) => (await listEvidence(deps.db, id)).map((e) => e.sha256);

    expect(await purgeOldEvidence(deps.db, deps.evidence, 30 * DAY)).toBe(0); // all recent
    await deps.db.query("UPDATE incidents SET created_at = now() - interval '31 days'");
    const purged = await purgeOldEvidence(deps.db, deps.evidence, 30 * DAY);
    expect(purged).toBe(4); // two pictures each of `verified` and `dismissed`
    for (const sha of [...(await shaOf(verified!.event.incidentId)), ...(await shaOf(dismissed!.event.incidentId))]) {
      expect(await deps.evidence.get(sha)).toBeUndefined();
    }
    for (const sha of await shaOf(open!.event.incidentId)) expect(await deps.evidence.get(sha)).toBeInstanceOf(Buffer);
    expect(await purgeOldEvidence(deps.db, deps.evidence, 30 * DAY)).toBe(0);
    const trail = await deps.db.query("SELECT 1 FROM audit WHERE entity = 'evidence' AND action = 'purged'");
    expect(trail).toHaveLength(4);
  });
});
