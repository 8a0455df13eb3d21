import { afterEach, describe, expect, it } from 'vitest';
import { acceptIncident } from '../../alerts/intake.js';
import { AlertsService } from '../../alerts/service.js';
import { approveTicket, judgeIncident, precision, rejectTicket, retryDeadTicket } from '../../alerts/review.js';
import { getIncident } from '../../store/incidents.js';
import { getTicketOfIncident } from '../../store/tickets.js';
import { Open311Server } from '../support/open311_server.js';
import { API_KEY, alertsConfig, alertsDeps, clearedMessage, confirmedMessage, open311Yaml, until } from './fixtures.js';
import { listDeliveries } from '../../store/webhooks.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setUp(modes: string, apiKey = API_KEY) {
  const server = await new Open311Server({ apiKey, serviceCodes: ['IP-01', 'SW-07'] }).start();
  // The crew hook points nowhere: these tests read what was queued for it.
  const deps = await alertsDeps(
    alertsConfig(
      `alerts:\n  modes: ${modes}\n  outbox: { base_delay: 20ms, poll: 20ms, attempts: 2 }\n  webhooks: [{ id: crew, url: "http://127.0.0.1:9/hook", secret: crew-secret-0123456789 }]`,
      open311Yaml(server.endpoint),
    ),
  );
  const service = new AlertsService(deps);
  service.start();
  cleanups.push(async () => {
    await service.stop();
    await server.close();
    await deps.db.close();
  });
  return { server, deps };
}

/** Gives the sender time to act on anything due (several poll rounds). */
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('modes per incident kind', () => {
  it('shadow records the incident and its would-be ticket but never calls the case system', async () => {
    const { server, deps } = await setUp('{ no_parking: shadow, bin_overflow: auto }');
    const parking = confirmedMessage({ kind: 'no_parking' });
    const bin = confirmedMessage({ kind: 'bin_overflow' });
    await acceptIncident(deps, parking);
    await acceptIncident(deps, bin);
    await until(async () => (await getTicketOfIncident(deps.db, bin.event.incidentId))?.state === 'filed', 10_000, 'bin filed');
    await settle();
    expect((await getTicketOfIncident(deps.db, parking.event.incidentId))?.state).toBe('shadow');
    await acceptIncident(deps, clearedMessage(parking));
    await acceptIncident(deps, clearedMessage(bin));
    const told = (await listDeliveries(deps.db, { target: 'crew' })).map((d) => `${d.event}:${(d.body as { incident: { id: string } }).incident.id}`);
    expect(told).toContain(`incident.cleared:${bin.event.incidentId}`);
    expect(told.filter((t) => t.endsWith(parking.event.incidentId))).toEqual([]); // crews never hear of shadow incidents
    expect((await getIncident(deps.db, parking.event.incidentId))?.mode).toBe('shadow');
    expect(server.posts).toBe(1);
    expect(server.requests[0]!.service_code).toBe('SW-07');

    // Operators judge shadow incidents to measure precision before going live.
    const more = [confirmedMessage(), confirmedMessage(), confirmedMessage()];
    for (const m of more) await acceptIncident(deps, m);
    await judgeIncident(deps.db, parking.event.incidentId, true, 'operator:li');
    await judgeIncident(deps.db, more[0]!.event.incidentId, true, 'operator:li');
    await judgeIncident(deps.db, more[1]!.event.incidentId, false, 'operator:li', 'shadow of a tree');
    await expect(judgeIncident(deps.db, 'nope', true, 'operator:li')).rejects.toThrow(/does not exist/);
    expect(await precision(deps.db)).toEqual([
      { kind: 'bin_overflow', mode: 'auto', incidents: 1, judged: 0, correct: 0, precision: null },
      { kind: 'no_parking', mode: 'shadow', incidents: 4, judged: 3, correct: 2, precision: 2 / 3 },
    ]);
    await settle();
    expect(server.posts).toBe(1);
  });

  it('an override puts one zone in shadow while the kind files automatically elsewhere', async () => {
    const { deps } = await setUp('{ no_parking: auto }\n  mode_overrides: [{ camera: jinjiang-north, zone: gate, mode: shadow }]');
    const gate = confirmedMessage({ kind: 'no_parking' });
    await acceptIncident(deps, gate);
    expect((await getIncident(deps.db, gate.event.incidentId))?.mode).toBe('shadow');
    expect((await getTicketOfIncident(deps.db, gate.event.incidentId))?.state).toBe('shadow');
  });

  it('review waits for an operator: approved is filed once, rejected is dismissed and never filed', async () => {
    const { server, deps } = await setUp('{ no_parking: review }');
    const a = confirmedMessage();
    const b = confirmedMessage();
    await acceptIncident(deps, a);
    await acceptIncident(deps, b);
    await settle();
    expect(server.posts).toBe(0);
    expect((await getTicketOfIncident(deps.db, a.event.incidentId))?.state).toBe('review');

    await approveTicket(deps.db, a.event.incidentId, 'operator:li', 'checked the picture');
    await expect(approveTicket(deps.db, a.event.incidentId, 'operator:wang')).rejects.toThrow(/needs it to be review/);
    await rejectTicket(deps.db, b.event.incidentId, 'operator:li', 'delivery van loading, allowed');
    await until(async () => (await getTicketOfIncident(deps.db, a.event.incidentId))?.state === 'filed', 10_000, 'approved filed');
    await settle();
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.description).toContain(a.event.incidentId.split(':')[0]);
    expect((await getTicketOfIncident(deps.db, b.event.incidentId))?.state).toBe('rejected');
    expect((await getIncident(deps.db, b.event.incidentId))?.state).toBe('dismissed');
    expect(await precision(deps.db)).toEqual([{ kind: 'no_parking', mode: 'review', incidents: 2, judged: 2, correct: 1, precision: 0.5 }]);
    const trail = await deps.db.query<{ actor: string; action: string; reason: string }>("SELECT actor, action, reason FROM audit WHERE actor LIKE 'operator:%' ORDER BY id");
    expect(trail).toEqual([
      { actor: 'operator:li', action: 'approved', reason: 'checked the picture' },
      { actor: 'operator:li', action: 'rejected', reason: 'delivery van loading, allowed' },
      { actor: 'operator:li', action: 'dismissed', reason: 'delivery van loading, allowed' },
    ]);
  });

  it('an operator can send a dead-lettered ticket again once the cause is fixed', async () => {
    const { server, deps } = await setUp('{ no_parking: auto }', 'the-city-changed-its-key');
    const m = confirmedMessage();
    await acceptIncident(deps, m);
    await until(async () => (await getTicketOfIncident(deps.db, m.event.incidentId))?.state === 'dead', 10_000, 'dead');
    expect(server.requests).toHaveLength(0);
    // The operator fixes the key on the city's side (here: the server accepts ours again) and retries.
    (server as unknown as { opts: { apiKey: string } }).opts.apiKey = API_KEY;
    await retryDeadTicket(deps.db, m.event.incidentId, 'operator:li', 'api key renewed');
    await until(async () => (await getTicketOfIncident(deps.db, m.event.incidentId))?.state === 'filed', 10_000, 'filed after retry');
    expect(server.requests).toHaveLength(1);
  });
});
