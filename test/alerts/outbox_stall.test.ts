import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EvidenceStore } from '../../alerts/evidence_store.js';
import { refMarker } from '../../alerts/case_request.js';
import { acceptIncident } from '../../alerts/intake.js';
import { openDb } from '../../store/db.js';
import { getTicket, getTicketOfIncident } from '../../store/tickets.js';
import { Open311Server } from '../support/open311_server.js';
import { withPostgresDatabase } from '../support/postgres.js';
import { spawnTs, type WeisuProcess } from '../support/weisu.js';
import { API_KEY, alertsConfig, confirmedMessage, open311Yaml, until } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * Exactly once when a sender stalls: two real sender processes on one PostgreSQL store and the strict
 * Open311 stand-in. Sender A is paused (SIGSTOP) right after it claimed the ticket, its lease runs out,
 * sender B takes the ticket over and files it, then A is woken (SIGCONT). A must post nothing.
 */
describe('ticket sender paused past its lease (SIGSTOP) while another takes over', () => {
  it('posts nothing once it lost its claim: the case system receives exactly one request for the ticket', async () => {
    const server = await new Open311Server({ apiKey: API_KEY, serviceCodes: ['IP-01', 'SW-07'] }).start();
    const pg = await withPostgresDatabase();
    const db = await openDb({ databaseUrl: pg.url });
    cleanups.push(async () => {
      await db.close();
      await pg.drop();
      await server.close();
    });
    const config = alertsConfig('', open311Yaml(server.endpoint));
    const evidenceDir = mkdtempSync(join(tmpdir(), 'weisu-stall-evidence-'));
    const evidence = new EvidenceStore({ dir: evidenceDir, publicUrl: config.public_url, ttlMs: config.alerts.evidence.url_ttl });
    const m = confirmedMessage();
    await acceptIncident({ db, config, evidence }, m);
    const { id, ref } = (await getTicketOfIncident(db, m.event.incidentId))!;

    const sender = (): WeisuProcess => {
      const p = spawnTs('test/support/outbox_sender.ts', [server.endpoint, evidenceDir], { DATABASE_URL: pg.url }, 'outbox sender');
      cleanups.push(async () => {
        p.kill('SIGCONT');
        p.kill('SIGTERM');
        await p.exited;
      });
      return p;
    };

    // Holds A right after its claim: the next thing a sender does with a ticket is read its incident,
    // which waits while this transaction locks the table.
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holding = db.tx(async (t) => {
      await t.exec('LOCK TABLE incidents IN ACCESS EXCLUSIVE MODE');
      locked();
      await new Promise<void>((r) => (release = r));
    });
    await isLocked;
    const a = sender();
    await until(async () => (await getTicket(db, id))?.fence === 1, 60_000, 'sender A to claim the ticket');
    a.kill('SIGSTOP');
    release();
    await holding;

    // A's lease runs out on the store's clock (four 500 ms call timeouts + 30 s).
    await until(async () => (await db.query("SELECT 1 FROM tickets WHERE id = $1 AND lease_until < now()", [id])).length === 1, 60_000, "A's lease to run out");
    const b = sender();
    await until(async () => (await getTicket(db, id))?.state === 'filed', 60_000, 'sender B to file the ticket');
    await b.waitFor(/"msg":"ticket filed"/, 10_000);
    expect(server.posts).toBe(1);

    a.kill('SIGCONT');
    // A either posts (the fault) or says it lost its claim (the fix); whichever comes first ends the wait.
    const lost = /lost its claim on the ticket[^"]*: posts nothing/;
    await until(() => server.posts > 1 || lost.test(a.output()), 60_000, 'sender A to post or to give the ticket up');
    const mine = server.requests.filter((r) => r.description.includes(refMarker(ref)));
    expect(mine, 'one request for the ticket in the case system').toHaveLength(1);
    expect(server.posts, 'no second post, not even a refused one').toBe(1);
    expect(a.output()).toMatch(lost);
    expect(await getTicket(db, id)).toMatchObject({ state: 'filed', fence: 2, requestId: mine[0]!.service_request_id });
    const filed = await db.query("SELECT 1 FROM audit WHERE entity = 'ticket' AND entity_id = $1 AND action = 'filed'", [ref]);
    expect(filed).toHaveLength(1);
  }, 180_000);
});
