import { afterEach, describe, expect, it } from 'vitest';
import { acceptIncident } from '../../alerts/intake.js';
import { AlertsService, type Rechecker } from '../../alerts/service.js';
import { getIncident } from '../../store/incidents.js';
import { getTicketOfIncident } from '../../store/tickets.js';
import { Open311Server, type PostFault } from '../support/open311_server.js';
import { WebhookReceiver } from '../support/webhook_receiver.js';
import { API_KEY, alertsConfig, alertsDeps, clearedMessage, confirmedMessage, open311Yaml, until } from './fixtures.js';

const SECRET = 'crew-secret-0123456789';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setUp(opts: { recheck?: Rechecker; postFault?: PostFault; sla?: string } = {}) {
  const server = await new Open311Server({ apiKey: API_KEY, serviceCodes: ['IP-01', 'SW-07'], postFault: () => opts.postFault ?? 'ok', tokenDelayMs: 300 }).start();
  const crew = await new WebhookReceiver(SECRET).start();
  const deps = await alertsDeps(
    alertsConfig(
      `alerts:
  outbox: { base_delay: 20ms, poll: 20ms }
  status_poll: 50ms
  sla: { no_parking: ${opts.sla ?? '1h'} }
  remind_every: 1h
  webhooks: [{ id: crew, url: "${crew.url}", secret: ${SECRET} }]`,
      open311Yaml(server.endpoint),
    ),
  );
  const service = new AlertsService({ ...deps, recheck: opts.recheck });
  service.start();
  cleanups.push(async () => {
    await service.stop();
    await Promise.all([server.close(), crew.close()]);
    await deps.db.close();
  });
  return { server, crew, deps };
}

async function filed(deps: Awaited<ReturnType<typeof setUp>>['deps'], incidentId: string) {
  await until(async () => !!(await getTicketOfIncident(deps.db, incidentId))?.requestId, 10_000, 'ticket filed with an id');
  return (await getTicketOfIncident(deps.db, incidentId))!;
}

describe('closing the loop (回头看)', () => {
  it('verifies the fix when the case system closes the ticket and the re-check finds the car gone', async () => {
    const asked: string[] = [];
    const { server, crew, deps } = await setUp({ recheck: async (i) => (asked.push(i.id), 'gone') });
    const m = confirmedMessage();
    await acceptIncident(deps, m);
    const t = await filed(deps, m.event.incidentId);
    expect(asked).toEqual([]);
    server.closeRequest(t.requestId!, 'vehicle towed');
    await until(async () => (await getIncident(deps.db, m.event.incidentId))?.state === 'verified', 10_000, 'verified');
    expect(asked).toEqual([m.event.incidentId]);
    const ticket = await getTicketOfIncident(deps.db, m.event.incidentId);
    expect(ticket).toMatchObject({ caseStatus: 'closed', statusNotes: 'vehicle towed' });
    await until(() => crew.events().includes('incident.verified'), 5000, 'crew told');
  });

  it('marks closed_not_fixed when the case system closes the ticket but the car is still there, and tells the crew', async () => {
    const { server, crew, deps } = await setUp({ recheck: async () => 'present' });
    const m = confirmedMessage();
    await acceptIncident(deps, m);
    const t = await filed(deps, m.event.incidentId);
    server.closeRequest(t.requestId!, 'done');
    await until(async () => (await getIncident(deps.db, m.event.incidentId))?.state === 'closed_not_fixed', 10_000, 'closed_not_fixed');
    await until(() => crew.events().includes('incident.closed_not_fixed'), 5000, 'crew told');
    const msg = crew.accepted.find((a) => a.event === 'incident.closed_not_fixed')!;
    expect(msg.body.reason).toBe('vehicle still there');
    const audit = await deps.db.query<{ action: string; reason: string }>("SELECT action, reason FROM audit WHERE entity = 'incident' ORDER BY id");
    expect(audit.map((a) => a.action)).toEqual(['confirmed', 'verifying', 'closed_not_fixed']);
  });

  it('asks again while the re-check cannot tell, then decides', async () => {
    const answers: ('unknown' | 'gone')[] = ['unknown', 'unknown', 'gone'];
    const { server, deps } = await setUp({ recheck: async () => answers.shift() ?? 'gone' });
    const m = confirmedMessage();
    await acceptIncident(deps, m);
    server.closeRequest((await filed(deps, m.event.incidentId)).requestId!);
    await until(async () => (await getIncident(deps.db, m.event.incidentId))?.state === 'verified', 30_000, 'verified after unknowns');
    expect(answers).toEqual([]);
  });

  it('without a re-check, trusts the rule having seen the car leave', async () => {
    const { server, deps } = await setUp();
    const m = confirmedMessage();
    await acceptIncident(deps, m);
    await acceptIncident(deps, clearedMessage(m));
    server.closeRequest((await filed(deps, m.event.incidentId)).requestId!);
    await until(async () => (await getIncident(deps.db, m.event.incidentId))?.state === 'verified', 10_000, 'verified');
  });

  it('resolves a token answer into the request id', async () => {
    const { server, deps } = await setUp({ postFault: 'token' });
    const m = confirmedMessage();
    await acceptIncident(deps, m);
    const t = await filed(deps, m.event.incidentId);
    expect(t.token).toBe(server.requests[0]!.token);
    expect(t.requestId).toBe(server.requests[0]!.service_request_id);
  });

  it('reminds (催办) about a ticket open past its SLA, once per remind_every', async () => {
    const { crew, deps } = await setUp({ sla: '200ms' });
    const m = confirmedMessage();
    await acceptIncident(deps, m);
    await filed(deps, m.event.incidentId);
    await until(() => crew.events().includes('ticket.overdue'), 10_000, 'overdue reminder');
    await new Promise((r) => setTimeout(r, 300));
    expect(crew.events().filter((e) => e === 'ticket.overdue')).toHaveLength(1);
    const msg = crew.accepted.find((a) => a.event === 'ticket.overdue')!;
    expect(msg.body.reason).toMatch(/^催办 overdue: open for .* beyond the no_parking SLA$/);
  });
});
