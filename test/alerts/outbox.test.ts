import { afterEach, describe, expect, it } from 'vitest';
import { acceptIncident } from '../../alerts/intake.js';
import { AlertsService } from '../../alerts/service.js';
import { claimDueTickets, listTickets, updateTicket, type TicketRow } from '../../store/tickets.js';
import { getIncident } from '../../store/incidents.js';
import { listEvidence } from '../../store/evidence.js';
import { createAdapter } from '../../alerts/adapters/index.js';
import { buildCaseRequest, refMarker } from '../../alerts/case_request.js';
import { Open311Server, type GetFault, type PostFault } from '../support/open311_server.js';
import { API_KEY, alertsConfig, alertsDeps, confirmedMessage, open311Yaml, until } from './fixtures.js';

/** Small deterministic PRNG so a failing run can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAULTS: PostFault[] = ['error_500', 'error_500_after', 'timeout_before', 'timeout_after', 'reset_after', 'malformed_after', 'slow', 'token'];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** An alerts service over `deps`, stopped (with the case-system stand-in and the store) after the test. */
function serviceFor(deps: Awaited<ReturnType<typeof alertsDeps>>, server: Open311Server): AlertsService {
  const service = new AlertsService(deps);
  cleanups.push(async () => {
    await service.stop();
    await server.close();
    await deps.db.close();
  });
  return service;
}

describe.each(['pglite', 'postgres'] as const)('outbox sender on %s against a misbehaving case system', (kind) => {
  it('files 200 incidents through 30 % injected faults: each ends with exactly one request, or dead-lettered with the reason; none twice', async () => {
    const rand = mulberry32(Number(process.env.WEISU_FAULT_SEED ?? 7));
    const server = await new Open311Server({
      apiKey: API_KEY,
      serviceCodes: ['IP-01', 'SW-07'],
      requiredAttributes: ['source'],
      // 30 % of posts fault, spread evenly over every kind of fault.
      postFault: () => (rand() < 0.3 ? FAULTS[Math.floor(rand() * FAULTS.length)]! : 'ok'),
      // Look-ups and status reads fail too, now and then.
      getFault: (): GetFault => (rand() < 0.1 ? (rand() < 0.5 ? 'error_500' : 'timeout') : 'ok'),
      slowMs: 1500, // beyond the client's timeout: an answer that comes too late
      tokenDelayMs: 100,
    }).start();
    const config = alertsConfig(
      `alerts:
  outbox: { base_delay: 20ms, max_delay: 200ms, poll: 20ms, attempts: 10, concurrency: 8 }
  status_poll: 100ms`,
      // Generous enough that a loaded machine does not time out healthy calls; the faults supply the timeouts.
      open311Yaml(server.endpoint, '  timeout: 1s'),
    );
    const deps = await alertsDeps(config, kind);
    const service = serviceFor(deps, server);

    const started = Date.now();
    const N = 200;
    for (let i = 0; i < N; i++) {
      await acceptIncident(deps, confirmedMessage({ kind: i % 4 === 0 ? 'bin_overflow' : 'no_parking' }));
    }
    const acceptedMs = Date.now() - started;
    service.start();
    await until(async () => {
      const open = await deps.db.query("SELECT 1 FROM tickets WHERE state NOT IN ('filed', 'dead') OR (state = 'filed' AND request_id IS NULL)");
      return open.length === 0;
    }, 170_000, 'every ticket filed (with a request id) or dead');
    const sentMs = Date.now() - started - acceptedMs;

    const tickets = await listTickets(deps.db);
    expect(tickets).toHaveLength(N);
    const byRef = new Map<string, number>();
    for (const r of server.requests) {
      const ref = /\[weisu:([^\]]+)\]/.exec(r.description)?.[1];
      expect(ref, 'every request on the server carries a weisu reference').toBeTruthy();
      byRef.set(ref!, (byRef.get(ref!) ?? 0) + 1);
    }
    const twice = [...byRef].filter(([, n]) => n > 1);
    expect(twice, 'no incident filed twice').toEqual([]);
    let dead = 0;
    for (const t of tickets) {
      if (t.state === 'filed') {
        expect(byRef.get(t.ref), `ticket ${t.ref} has exactly one request`).toBe(1);
        const r = server.requests.find((x) => x.description.includes(refMarker(t.ref)))!;
        expect(t.requestId).toBe(r.service_request_id);
        expect(r.service_code).toBe(t.incidentId.includes(':bins:') ? 'SW-07' : 'IP-01');
      } else {
        dead += 1;
        expect(t.state).toBe('dead');
        expect(t.lastError).toMatch(/gave up after|refused/);
      }
    }
    const attempts = tickets.map((t) => t.attempts);
    const tokens = tickets.filter((t) => t.token).length;
    console.log(
      `200-incident fault run on ${kind}: accepted in ${acceptedMs} ms, sent in ${sentMs} ms; posts ${server.posts}, gets ${server.gets}; ` +
        `faults ${JSON.stringify(server.faultsApplied)}; filed ${N - dead}, dead ${dead}, via token ${tokens}; max attempts ${Math.max(...attempts)}`,
    );
    // A 30 % fault rate against 10 attempts leaves (almost) nothing dead.
    expect(dead).toBeLessThanOrEqual(2);
    expect(server.faultsApplied.timeout_after ?? 0).toBeGreaterThan(0);
    expect(tokens).toBeGreaterThan(0);
  }, 240_000);
});

describe('outbox sender', () => {
  it('recovers a sender that died mid-call: the request that did arrive is found by look-up, not posted again', async () => {
    const server = await new Open311Server({ apiKey: API_KEY, serviceCodes: ['IP-01', 'SW-07'] }).start();
    const deps = await alertsDeps(alertsConfig(`alerts:\n  outbox: { base_delay: 20ms, poll: 20ms }`, open311Yaml(server.endpoint)));
    const service = serviceFor(deps, server);
    const m = confirmedMessage();
    await acceptIncident(deps, m);
    // The first sender claimed it, marked it maybe-sent, posted — and the process died before recording the answer.
    const [t] = await claimDueTickets(deps.db, 1, 60_000);
    await updateTicket(deps.db, t!.id, ['sending'], { maybeSent: true });
    const incident = (await getIncident(deps.db, m.event.incidentId))!;
    await createAdapter(deps.config.case_api!).file(buildCaseRequest(incident, t!, await listEvidence(deps.db, incident.id), deps.evidence, deps.config.alerts.map_link));
    await deps.db.query("UPDATE tickets SET lease_until = now() - interval '1 second'");
    service.start();
    await until(async () => (await listTickets(deps.db, { state: 'filed' })).length === 1, 10_000, 'filed by look-up');
    expect(server.requests).toHaveLength(1);
    const [after] = await listTickets(deps.db);
    expect(after!.requestId).toBe(server.requests[0]!.service_request_id);
    const how = await deps.db.query<{ reason: string }>("SELECT reason FROM audit WHERE action = 'filed'");
    expect(how[0]!.reason).toBe('found by look-up after an ambiguous attempt');
  });

  it('checks at start that the configured service codes exist in the city\'s services.json, naming the field', async () => {
    const server = await new Open311Server({ apiKey: API_KEY, serviceCodes: ['IP-01', 'SW-08'] }).start();
    const deps = await alertsDeps(alertsConfig('', open311Yaml(server.endpoint)));
    cleanups.push(async () => {
      await server.close();
      await deps.db.close();
    });
    expect(await new AlertsService(deps).checkCaseApi()).toEqual([
      { field: 'case_api.service_codes.bin_overflow', message: expect.stringContaining('"SW-07" is not among the city\'s services (IP-01, SW-08)') },
    ]);
  });

  it('does not post again when a look-up cannot prove absence (a busy city fills the look-up page)', async () => {
    let n = 0;
    const server = await new Open311Server({ apiKey: API_KEY, serviceCodes: ['IP-01', 'SW-07'], postFault: () => (n++ === 0 ? 'timeout_before' : 'ok') }).start();
    server.seed(1000, 'IP-01');
    const deps = await alertsDeps(alertsConfig(`alerts:\n  outbox: { base_delay: 20ms, poll: 20ms, attempts: 3 }`, open311Yaml(server.endpoint, '  timeout: 300ms')));
    const service = serviceFor(deps, server);
    await acceptIncident(deps, confirmedMessage());
    service.start();
    await until(async () => (await listTickets(deps.db, { state: 'dead' })).length === 1, 15_000, 'dead-letter');
    const [t] = await listTickets(deps.db);
    expect(t!.lastError).toContain('cannot tell whether');
    expect(t!.lastError).toContain(`look for reference ${t!.ref} before retrying`);
    expect(server.posts).toBe(1);
  });

  it('dead-letters a request the case system refuses, with its error text, without retrying', async () => {
    const server = await new Open311Server({ apiKey: 'another-key', serviceCodes: ['IP-01', 'SW-07'] }).start();
    const deps = await alertsDeps(alertsConfig(`alerts:\n  outbox: { base_delay: 20ms, poll: 20ms }`, open311Yaml(server.endpoint)));
    const service = serviceFor(deps, server);
    await acceptIncident(deps, confirmedMessage());
    service.start();
    await until(async () => (await listTickets(deps.db, { state: 'dead' })).length === 1, 10_000, 'dead-letter');
    const [t] = await listTickets(deps.db);
    expect(t!.attempts).toBe(1);
    expect(t!.lastError).toContain('403: Invalid api_key ***');
    expect(t!.lastError).not.toContain('another-key');
    expect(t!.lastError).not.toContain(API_KEY);
    const trail = await deps.db.query<{ text: string }>('SELECT concat(reason, data::text) AS text FROM audit');
    expect(trail.some((r) => r.text.includes(API_KEY))).toBe(false);
  });

  it('keeps retrying while the case system is unreachable, then files once it is back', async () => {
    const server = await new Open311Server({ apiKey: API_KEY, serviceCodes: ['IP-01', 'SW-07'] }).start();
    const endpoint = server.endpoint;
    await server.close(); // down: connection refused
    const deps = await alertsDeps(alertsConfig(`alerts:\n  outbox: { base_delay: 20ms, max_delay: 50ms, poll: 20ms, attempts: 100 }`, open311Yaml(endpoint)));
    const service = new AlertsService(deps);
    cleanups.push(async () => {
      await service.stop();
      await deps.db.close();
    });
    await acceptIncident(deps, confirmedMessage());
    service.start();
    let t: TicketRow | undefined;
    await until(async () => {
      const [now] = await listTickets(deps.db);
      if ((now?.attempts ?? 0) >= 3 && now?.state === 'pending') t = now; // between attempts, not inside one
      return t !== undefined;
    }, 10_000, 'three failed attempts');
    expect(t!.state).not.toBe('filed');
    expect(t!.lastError).toContain('not_sent');
    // Refused connections prove nothing arrived: no look-up is needed before the next post.
    expect(t!.maybeSent).toBe(false);
    await server.start(Number(new URL(endpoint).port));
    cleanups.push(() => server.close());
    await until(async () => (await listTickets(deps.db, { state: 'filed' })).length === 1, 10_000, 'filed after recovery');
    expect(server.requests).toHaveLength(1);
  });
});
