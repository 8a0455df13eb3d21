import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { acceptIncident } from '../../alerts/intake.js';
import { AlertsService } from '../../alerts/service.js';
import { evidencePlugin } from '../../alerts/http.js';
import type { EvidenceStore } from '../../alerts/evidence_store.js';
import { getIncident } from '../../store/incidents.js';
import { listEvidence } from '../../store/evidence.js';
import { getTicketOfIncident, listTickets } from '../../store/tickets.js';
import { plateHistory } from '../../store/plates.js';
import type { IncidentMessage } from '../../core/types.js';
import { Open311Server } from '../support/open311_server.js';
import { API_KEY, FAST_OUTBOX, LANE, alertsConfig, alertsDeps, clearedMessage, confirmedMessage, open311Yaml, until } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setUp(extra = FAST_OUTBOX) {
  const server = await new Open311Server({ apiKey: API_KEY, serviceCodes: ['IP-01', 'SW-07'], requiredAttributes: ['source'] }).start();
  // The evidence server must listen before public_url (its port) is known; it reaches the store late.
  let store: EvidenceStore | undefined;
  const evidenceApp = Fastify();
  await evidenceApp.register(evidencePlugin, { store: { refuse: (...a) => store!.refuse(...a), get: (sha) => store!.get(sha) } });
  await evidenceApp.listen({ port: 0, host: '127.0.0.1' });
  const publicUrl = `http://127.0.0.1:${(evidenceApp.server.address() as { port: number }).port}`;
  const config = { ...alertsConfig(extra, open311Yaml(server.endpoint)), public_url: publicUrl };
  const deps = await alertsDeps(config);
  store = deps.evidence;
  const service = new AlertsService(deps);
  cleanups.push(async () => {
    await service.stop();
    await evidenceApp.close();
    await server.close();
    await deps.db.close();
  });
  return { server, deps, service, publicUrl };
}

describe('acceptIncident → outbox → Open311', () => {
  it('stores the incident, its evidence and its ticket once, then files exactly one request whose media_url serves the JPEG', async () => {
    const { server, deps, service, publicUrl } = await setUp();
    const msg = confirmedMessage({ picture: LANE, box: [1050, 280, 1400, 470], size: { width: 1640, height: 590 } });
    const first = await acceptIncident(deps, msg);
    const again = await acceptIncident(deps, msg);
    expect(first).toEqual({ incidentId: msg.event.incidentId, created: true });
    expect(again).toEqual({ incidentId: msg.event.incidentId, created: false });

    const incident = await getIncident(deps.db, msg.event.incidentId);
    expect(incident?.state).toBe('open');
    const evidence = await listEvidence(deps.db, msg.event.incidentId);
    expect(evidence.map((e) => e.role)).toEqual(['main', 'first_seen']);
    expect(evidence[0]!.width).toBe(1640);
    expect((await getTicketOfIncident(deps.db, msg.event.incidentId))?.state).toBe('pending');

    service.start();
    await until(async () => (await listTickets(deps.db, { state: 'filed' })).length === 1, 10_000, 'ticket filed');
    expect(server.requests).toHaveLength(1);
    const r = server.requests[0]!;
    expect(r.service_code).toBe('IP-01');
    expect(r.lat).toBeCloseTo(40.129, 5);
    expect(r.long).toBeCloseTo(124.394, 5);
    expect(r.address).toBe('锦江路1号 Jinjiang Rd 1');
    expect(r.attributes).toEqual({ source: 'camera_detection', found_before_report: 'true' });
    expect(r.description).toContain('违章停放');
    expect(r.description).toContain('Detected automatically by camera jinjiang-north before any report');
    expect(r.description.length).toBeLessThanOrEqual(4000);
    expect(r.media_url.startsWith(`${publicUrl}/evidence/`)).toBe(true);

    const res = await fetch(r.media_url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBe(1640);

    // The stored ticket carries the case system's id.
    const ticket = await getTicketOfIncident(deps.db, msg.event.incidentId);
    expect(ticket?.requestId).toBe(r.service_request_id);
  });

  it('refuses tampered and expired evidence URLs', async () => {
    const { deps, publicUrl } = await setUp();
    const msg = confirmedMessage();
    await acceptIncident(deps, msg);
    const [main] = await listEvidence(deps.db, msg.event.incidentId);
    const good = deps.evidence.url(main!.sha256);
    expect((await fetch(good)).status).toBe(200);
    expect((await fetch(good.replace(/sig=./, (s) => (s.endsWith('0') ? 'sig=1' : 'sig=0')))).status).toBe(403);
    const expired = deps.evidence.url(main!.sha256, Date.now() - deps.config.alerts.evidence.url_ttl - 5000);
    expect((await fetch(expired)).status).toBe(410);
    expect((await fetch(`${publicUrl}/evidence/${main!.sha256}.jpg`)).status).toBe(400);
  });

  it('moves an incident to cleared when the rule sees the subject leave, once', async () => {
    const { deps } = await setUp();
    const msg = confirmedMessage();
    await acceptIncident(deps, msg);
    await acceptIncident(deps, clearedMessage(msg));
    await acceptIncident(deps, clearedMessage(msg));
    const incident = await getIncident(deps.db, msg.event.incidentId);
    expect(incident?.state).toBe('cleared');
    const actions = await deps.db.query<{ action: string }>("SELECT action FROM audit WHERE entity = 'incident' ORDER BY id");
    expect(actions.map((a) => a.action)).toEqual(['confirmed', 'cleared']);
  });

  it('refuses a "cleared" that overtakes its "confirmed", so the queue delivers it again later', async () => {
    const { deps } = await setUp();
    const msg = confirmedMessage();
    await expect(acceptIncident(deps, clearedMessage(msg))).rejects.toThrow(/not stored yet/);
    await acceptIncident(deps, msg);
    await acceptIncident(deps, clearedMessage(msg));
    expect((await getIncident(deps.db, msg.event.incidentId))?.state).toBe('cleared');
  });

  it('keeps an incident from a camera no longer configured, and dead-letters its ticket naming the camera', async () => {
    const { deps, service, server } = await setUp();
    const msg = confirmedMessage();
    msg.event = { ...msg.event, cameraId: 'removed-camera', incidentId: 'removed-camera:gate:1' };
    expect((await acceptIncident(deps, msg)).created).toBe(true);
    expect(await listEvidence(deps.db, msg.event.incidentId)).toHaveLength(2);
    service.start();
    await until(async () => (await getTicketOfIncident(deps.db, msg.event.incidentId))?.state === 'dead', 10_000, 'dead');
    expect((await getTicketOfIncident(deps.db, msg.event.incidentId))?.lastError).toContain('camera "removed-camera" was not configured');
    expect(server.posts).toBe(0);
  });

  it('keeps an incident whose pictures cannot be decoded, noting why', async () => {
    const { deps } = await setUp();
    const msg = confirmedMessage();
    msg.frames = msg.frames.map((f) => ({ ...f, jpegBase64: Buffer.from('not a jpeg').toString('base64') }));
    expect((await acceptIncident(deps, msg)).created).toBe(true);
    const incident = await getIncident(deps.db, msg.event.incidentId);
    expect(incident?.evidenceError).toBeTruthy();
    expect(await listEvidence(deps.db, msg.event.incidentId)).toEqual([]);
  });
});

/**
 * Plates against the cooldown: a car that merely moves to the next spot is the same offence. The case
 * system is never called here — what matters is how many tickets reach the outbox.
 */
describe.each(['pglite', 'postgres'] as const)('same plate within the cooldown on %s', (kind) => {
  const MIN = 60_000;
  const T = Date.parse('2026-11-26T02:00:00Z');

  async function deps(plates = '') {
    const d = await alertsDeps(alertsConfig(`plates: { cooldown: 30m ${plates} }`, open311Yaml('http://127.0.0.1:1/v2/')), kind);
    cleanups.push(() => d.db.close());
    return d;
  }

  /** A parked car confirmed `atMin` minutes after T in the given spot, with what the plate reader made of it. */
  function parked(id: string, atMin: number, plate: IncidentMessage['plate'], box: [number, number, number, number] = [170, 90, 250, 150]): IncidentMessage {
    const m = confirmedMessage({ id: `jinjiang-north:gate:${id}`, box });
    const at = T + atMin * MIN;
    m.event = { ...m.event, firstSeen: at - 5 * MIN, confirmedAt: at, lastSeen: at, ts: at };
    m.plate = plate;
    return m;
  }

  const read = (text: string) => ({ text, confidence: 0.97, format: 'cn', votes: 2 }) as IncidentMessage['plate'];
  const tickets = async (d: Awaited<ReturnType<typeof deps>>) => (await listTickets(d.db, {})).map((t) => t.incidentId).sort();

  it('files one ticket when the car moves to the next spot, however the plate was written, and once on re-delivery', async () => {
    const d = await deps();
    const first = parked('a', 0, read('浙G·Z6825'));
    const moved = parked('b', 12, read('浙GZ6825'), [20, 90, 100, 150]);
    expect((await acceptIncident(d, first)).created).toBe(true);
    expect((await acceptIncident(d, moved)).created).toBe(true);
    expect((await acceptIncident(d, moved)).created).toBe(false);
    expect(await tickets(d)).toEqual([first.event.incidentId]);

    // The repeat is kept for operators, with its plate, and the audit says why it got no ticket.
    const kept = await getIncident(d.db, moved.event.incidentId);
    expect(kept?.plate).toMatchObject({ text: '浙GZ6825' });
    expect(await getTicketOfIncident(d.db, moved.event.incidentId)).toBeUndefined();
    const why = await d.db.query<{ action: string; reason: string }>("SELECT action, reason FROM audit WHERE entity = 'incident' AND entity_id = $1 ORDER BY id", [moved.event.incidentId]);
    expect(why.map((w) => w.action)).toEqual(['confirmed', 'plate_repeat', 'not_ticketed']);
    expect(why[2]!.reason).toBe(`same plate within cooldown of incident ${first.event.incidentId}`);

    const sightings = await plateHistory(d.db, '浙G·Z6825');
    expect(sightings.map((s) => [s.incidentId, s.repeatOf])).toEqual([
      [moved.event.incidentId, first.event.incidentId],
      [first.event.incidentId, null],
    ]);
    expect(sightings[1]).toMatchObject({ format: 'cn', cameraId: 'jinjiang-north', zoneId: 'gate' });
  });

  it('files one ticket when the later spot’s incident arrives first, or both at the same moment', async () => {
    const d = await deps();
    const [x, y] = [parked('x', 0, read('浙G·Z6825')), parked('y', 4, read('浙G·Z6825'), [20, 90, 100, 150])];
    await acceptIncident(d, y);
    await acceptIncident(d, x);
    expect(await tickets(d)).toEqual([y.event.incidentId]);

    const pair = [parked('p', 60, read('辽F·12345')), parked('q', 60.5, read('辽F·12345'), [20, 90, 100, 150])];
    await Promise.all(pair.map((m) => acceptIncident(d, m)));
    expect((await tickets(d)).filter((id) => /:[pq]$/.test(id))).toHaveLength(1);
    expect((await plateHistory(d.db, '辽F12345')).filter((s) => s.repeatOf)).toHaveLength(1);
  });

  it('files a second ticket after the cooldown, measured from the ticketed offence rather than from its repeats', async () => {
    const d = await deps();
    const a = parked('a', 0, read('辽F·12345'));
    const hop = parked('hop', 20, read('辽F·12345'));
    const later = parked('later', 35, read('辽F·12345'));
    for (const m of [a, hop, later]) await acceptIncident(d, m);
    expect(await tickets(d)).toEqual([a.event.incidentId, later.event.incidentId].sort());
  });

  it('never lets an unread plate, or a different plate, suppress a ticket', async () => {
    const d = await deps();
    const ms = [
      parked('u1', 0, { unread: true, reason: 'plate too small' }),
      parked('u2', 5, { unread: true, reason: 'plate too small' }),
      parked('n', 6, undefined),
      parked('p1', 7, read('辽F·12345')),
      parked('p2', 8, read('辽F·54321')),
    ];
    for (const m of ms) await acceptIncident(d, m);
    expect(await tickets(d)).toEqual(ms.map((m) => m.event.incidentId).sort());
  });

  it('files every incident when plate reading is turned off', async () => {
    const d = await deps(', enabled: false');
    const ms = [parked('a', 0, read('辽F·12345')), parked('b', 3, read('辽F·12345'))];
    for (const m of ms) await acceptIncident(d, m);
    expect(await tickets(d)).toEqual(ms.map((m) => m.event.incidentId).sort());
    expect(await plateHistory(d.db, '辽F·12345')).toEqual([]);
  });
});
