import { afterEach, describe, expect, it } from 'vitest';
import { acceptIncident } from '../../alerts/intake.js';
import { AlertsService } from '../../alerts/service.js';
import { signBody, verifySignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../alerts/webhooks.js';
import { exportAuditText } from '../../alerts/oversight.js';
import { listDeliveries } from '../../store/webhooks.js';
import { Open311Server } from '../support/open311_server.js';
import { WebhookReceiver } from '../support/webhook_receiver.js';
import { API_KEY, alertsConfig, alertsDeps, confirmedMessage, open311Yaml, until } from './fixtures.js';

const CREW_SECRET = 'crew-secret-0123456789';
const OVERSIGHT_SECRET = 'oversight-secret-0123456789';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setUp(opts: { crewSecretSeenByReceiver?: string; attempts?: number } = {}) {
  const server = await new Open311Server({ apiKey: API_KEY, serviceCodes: ['IP-01', 'SW-07'] }).start();
  const crew = await new WebhookReceiver(opts.crewSecretSeenByReceiver ?? CREW_SECRET).start();
  const oversight = await new WebhookReceiver(OVERSIGHT_SECRET).start();
  const config = alertsConfig(
    `alerts:
  outbox: { base_delay: 20ms, max_delay: 100ms, poll: 20ms, attempts: ${opts.attempts ?? 10} }
  webhooks:
    - { id: crew-a, url: "${crew.url}", secret: ${CREW_SECRET} }
  oversight: { url: "${oversight.url}", secret: ${OVERSIGHT_SECRET} }`,
    open311Yaml(server.endpoint),
  );
  const deps = await alertsDeps(config);
  const service = new AlertsService(deps);
  cleanups.push(async () => {
    await service.stop();
    await Promise.all([server.close(), crew.close(), oversight.close()]);
    await deps.db.close();
  });
  return { server, crew, oversight, deps, service };
}

describe('crews\' webhooks', () => {
  it('tells the crew about a filed ticket in a signed JSON message with the ticket, evidence URL and map link', async () => {
    const { server, crew, deps, service } = await setUp();
    crew.failNext = 2; // the crew's endpoint is down for two calls: retried, delivered once
    const msg = confirmedMessage();
    await acceptIncident(deps, msg);
    service.start();
    await until(() => crew.accepted.length === 1, 10_000, 'crew message');
    const m = crew.accepted[0]!;
    expect(m.event).toBe('ticket.filed');
    expect(m.body.ticket.request_id).toBe(server.requests[0]!.service_request_id);
    expect(m.body.incident).toMatchObject({ id: msg.event.incidentId, kind: 'no_parking', camera_id: 'jinjiang-north', zone_id: 'gate', label: 'car' });
    expect(m.body.evidence_url).toMatch(/\/evidence\/[0-9a-f]{64}\.jpg\?exp=\d+&sig=[0-9a-f]{64}$/);
    expect(m.body.photo_urls).toHaveLength(2);
    expect(m.body.location.map_link).toBe('https://www.openstreetmap.org/?mlat=40.129000&mlon=124.394000#map=19/40.129000/124.394000');
    expect(crew.refused).toEqual(['failing', 'failing']);
    expect(crew.duplicates).toBe(0);
  });

  it('is refused by a receiver holding another secret, and dead-lettered after the attempts', async () => {
    const { crew, deps, service } = await setUp({ crewSecretSeenByReceiver: 'not-the-crew-secret-000', attempts: 3 });
    await acceptIncident(deps, confirmedMessage());
    service.start();
    await until(async () => (await listDeliveries(deps.db, { target: 'crew-a', state: 'dead' })).length === 1, 10_000, 'dead delivery');
    expect(crew.accepted).toEqual([]);
    expect(crew.refused).toEqual(['bad_signature', 'bad_signature', 'bad_signature']);
    const [d] = await listDeliveries(deps.db, { target: 'crew-a' });
    expect(d!.lastError).toContain('401');
  });

  it('signs "<timestamp>.<body>" and lets a receiver refuse a replayed (stale) message', () => {
    const body = '{"event":"ticket.filed"}';
    const ts = Math.floor(Date.now() / 1000);
    const headers = { [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signBody(CREW_SECRET, ts, body) };
    expect(verifySignature(CREW_SECRET, headers, body)).toBe('ok');
    expect(verifySignature(CREW_SECRET, headers, body.replace('filed', 'dead'))).toBe('bad_signature');
    expect(verifySignature(CREW_SECRET, { ...headers, [TIMESTAMP_HEADER]: String(ts + 1) }, body)).toBe('bad_signature');
    expect(verifySignature(CREW_SECRET, headers, body, 300, Date.now() + 600_000)).toBe('stale');
  });
});

describe('audit trail', () => {
  it('records every state change with actor, time and reason, exports it as JSON lines, and copies it to oversight', async () => {
    const { oversight, deps, service } = await setUp();
    const msg = confirmedMessage();
    await acceptIncident(deps, msg);
    service.start();
    await until(() => oversight.accepted.flatMap((b) => b.body.entries).some((e: { action: string }) => e.action === 'filed'), 10_000, 'oversight copy');

    const lines = (await exportAuditText(deps.db)).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.entity}:${l.action}`)).toEqual(['incident:confirmed', 'ticket:created_pending', 'ticket:filed']);
    for (const l of lines) {
      expect(l.actor).toMatch(/^(rules|alerts|outbox)$/);
      expect(Date.parse(l.at)).toBeGreaterThan(Date.now() - 60_000);
      expect(l.reason).toBeTruthy();
    }
    const copied = oversight.accepted.flatMap((b) => b.body.entries);
    expect(copied.map((e: { id: number }) => e.id)).toEqual(lines.map((l) => l.id));
    expect(oversight.accepted.every((b) => b.event === 'audit.batch')).toBe(true);
  });
});
