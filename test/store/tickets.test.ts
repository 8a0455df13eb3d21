import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../store/db.js';
import { openTestDb } from '../alerts/fixtures.js';
import { getIncident, insertIncident, transitionIncident, type NewIncident } from '../../store/incidents.js';
import { claimDueTickets, getTicket, insertTicket, overdueTickets, updateClaimedTicket, updateTicket } from '../../store/tickets.js';
import { insertEvidence, listEvidence } from '../../store/evidence.js';
import { claimDueDeliveries, finishDelivery, insertDelivery } from '../../store/webhooks.js';
import { auditAfter, getCursor, setCursor } from '../../store/audit_feed.js';
import { audit } from '../../store/audit.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

async function open(kind: 'pglite' | 'postgres'): Promise<Db> {
  const db = await openTestDb(kind);
  cleanups.push(() => db.close());
  return db;
}

const incident = (id: string): NewIncident => ({
  id,
  cameraId: 'cam',
  zoneId: 'gate',
  kind: 'no_parking',
  mode: 'auto',
  firstSeenMs: 1_764_115_262_000,
  confirmedMs: 1_764_115_562_000,
  lastSeenMs: 1_764_115_562_000,
  subject: { box: [1, 2, 3, 4], label: 'car', score: 0.9 },
  frameSize: { width: 640, height: 480 },
  plate: null,
  place: { cameraName: 'Cam', lat: 40.1, lon: 124.3, timezone: 'Asia/Shanghai' },
  evidenceError: null,
});

describe.each(['pglite', 'postgres'] as const)('alerts store on %s', (kind) => {
  it('inserts an incident once and moves its state only from the expected states', async () => {
    const db = await open(kind);
    expect(await insertIncident(db, incident('a'))).toBe(true);
    expect(await insertIncident(db, incident('a'))).toBe(false);
    const row = await getIncident(db, 'a');
    expect(row).toMatchObject({ state: 'open', firstSeenMs: 1_764_115_262_000, subject: { label: 'car' }, place: { lat: 40.1 } });
    expect(await transitionIncident(db, 'a', ['verifying'], 'verified')).toBeUndefined();
    expect((await transitionIncident(db, 'a', ['open'], 'cleared', { lastSeenMs: 1_764_115_600_000 }))?.clearedAt).toBeInstanceOf(Date);
    await insertEvidence(db, { incidentId: 'a', role: 'main', sha256: 'f'.repeat(64), bytes: 10, width: 2, height: 2 });
    await insertEvidence(db, { incidentId: 'a', role: 'main', sha256: 'e'.repeat(64), bytes: 10, width: 2, height: 2 });
    expect((await listEvidence(db, 'a')).map((e) => e.sha256)).toEqual(['f'.repeat(64)]);
  });

  it('lets two senders claim due tickets without ever taking the same one, and reclaims an expired lease', async () => {
    const db = await open(kind);
    for (let i = 0; i < 20; i++) {
      await insertIncident(db, incident(`i${i}`));
      await insertTicket(db, { incidentId: `i${i}`, ref: `r${i}`, adapter: 'open311', state: 'pending' });
    }
    const [a, b] = await Promise.all([claimDueTickets(db, 15, 60_000), claimDueTickets(db, 15, 60_000)]);
    const ids = [...a, ...b].map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(20);
    expect(await claimDueTickets(db, 50, 60_000)).toEqual([]);
    // A sender that died mid-call: its lease runs out and the ticket is claimed again, attempts counted.
    const lost = a[0]!;
    await db.query("UPDATE tickets SET lease_until = now() - interval '1 second' WHERE id = $1", [lost.id]);
    const again = await claimDueTickets(db, 50, 60_000);
    expect(again.map((t) => [t.id, t.attempts])).toEqual([[lost.id, 2]]);
  });

  it('fences claims: each claim gets a new token, a stale claim\'s writes are refused, the post check needs the lease', async () => {
    const db = await open(kind);
    await insertIncident(db, incident('f'));
    await insertTicket(db, { incidentId: 'f', ref: 'rf', adapter: 'open311', state: 'pending' });
    const [first] = await claimDueTickets(db, 1, 60_000);
    expect(first!.fence).toBe(1);
    // The holder may post: its lease runs and no one else claimed the ticket.
    expect(await updateClaimedTicket(db, first!, { posting: true, renewLeaseMs: 60_000 })).toMatchObject({ maybeSent: true, fence: 1 });
    // Its lease runs out: it may not post any more, even before anyone else claims the ticket.
    await db.query("UPDATE tickets SET lease_until = now() - interval '1 second'");
    expect(await updateClaimedTicket(db, first!, { posting: true, renewLeaseMs: 60_000 })).toBeUndefined();
    const [second] = await claimDueTickets(db, 1, 60_000);
    expect(second).toMatchObject({ id: first!.id, fence: 2, maybeSent: true });
    // The first sender wakes up: nothing it writes takes effect, whatever it reports.
    for (const patch of [{ state: 'filed', requestId: 'stale', filed: true }, { state: 'pending', retryInMs: 0 }, { state: 'dead', lastError: 'stale' }] as const) {
      expect(await updateClaimedTicket(db, first!, patch)).toBeUndefined();
    }
    expect(await getTicket(db, first!.id)).toMatchObject({ state: 'sending', fence: 2, requestId: null });
    expect(await updateClaimedTicket(db, second!, { state: 'filed', requestId: 'fresh', filed: true })).toMatchObject({ state: 'filed', requestId: 'fresh' });
  });

  it('updates a ticket only from the expected states and finds overdue ones by SLA or expected time', async () => {
    const db = await open(kind);
    await insertIncident(db, incident('x'));
    await insertIncident(db, incident('y'));
    const t = await insertTicket(db, { incidentId: 'x', ref: 'rx', adapter: 'open311', state: 'sending' });
    const u = await insertTicket(db, { incidentId: 'y', ref: 'ry', adapter: 'open311', state: 'sending' });
    expect(await updateTicket(db, t.id, ['pending'], { state: 'filed' })).toBeUndefined();
    expect((await updateTicket(db, t.id, ['sending'], { state: 'filed', requestId: '77', filed: true }))?.requestId).toBe('77');
    await updateTicket(db, u.id, ['sending'], { state: 'filed', requestId: '78', filed: true, expectedAt: new Date(Date.now() + 3_600_000) });
    expect(await overdueTickets(db, { no_parking: 3_600_000 }, 60_000, 10)).toEqual([]);
    const overdue = await overdueTickets(db, { no_parking: 1 }, 60_000, 10);
    expect(overdue.map((o) => [o.ref, o.kind])).toEqual([['rx', 'no_parking']]); // ry has a later expected time
    await updateTicket(db, t.id, ['filed'], { reminded: true });
    expect(await overdueTickets(db, { no_parking: 1 }, 60_000, 10)).toEqual([]);
  });

  it('keeps webhook deliveries and the audit feed cursor', async () => {
    const db = await open(kind);
    await insertDelivery(db, { target: 'crew', event: 'ticket.filed', body: { a: 1 } });
    const [d] = await claimDueDeliveries(db, 5, 60_000);
    expect(d).toMatchObject({ target: 'crew', body: { a: 1 }, attempts: 1 });
    await finishDelivery(db, d!.id, { state: 'pending', error: 'x', retryInMs: 0 });
    expect((await claimDueDeliveries(db, 5, 60_000))[0]?.attempts).toBe(2);
    await audit(db, { actor: 't', entity: 'ticket', entityId: 'r', action: 'a' });
    await audit(db, { actor: 't', entity: 'ticket', entityId: 'r', action: 'b' });
    const rows = await auditAfter(db, 0, 10);
    expect(rows.map((r) => r.action)).toEqual(['a', 'b']);
    expect(rows[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await setCursor(db, 'oversight', rows[1]!.id);
    await setCursor(db, 'oversight', rows[0]!.id); // never moves back
    expect(await getCursor(db, 'oversight')).toBe(rows[1]!.id);
  });
});
