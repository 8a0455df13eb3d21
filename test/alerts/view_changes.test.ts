import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertsService } from '../../alerts/service.js';
import { purgeOldEvidence } from '../../alerts/retention.js';
import { acceptViewChange } from '../../alerts/view_changes.js';
import { listViewChanges } from '../../store/view_changes.js';
import { listDeliveries } from '../../store/webhooks.js';
import { coveredLens, viewCamera } from '../support/view_camera.js';
import { WebhookReceiver } from '../support/webhook_receiver.js';
import { alertsConfig, alertsDeps, FAST_OUTBOX, until } from './fixtures.js';

/**
 * A camera whose lens is covered, then clear again, sampled by the real sampling job with the real
 * aligner; its view-change messages taken by the alerts side (one re-delivered, as a queue may) and sent
 * by the real outbox sender to a crew's signed-webhook receiver: one message per change, with a signed
 * link to the covered picture; a webhook that did not ask for view events gets none. The pictures go
 * with evidence retention.
 */
const SECRET = 'crew-secret-0123456789';

let lens: Awaited<ReturnType<typeof coveredLens>>;
beforeAll(async () => {
  lens = await coveredLens();
});

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('view changes reach crews\' webhooks', () => {
  it('tells camera.view_changed with the reason, since when and the picture, then camera.view_restored, each once', async () => {
    const crew = await new WebhookReceiver(SECRET).start();
    const ticketsOnly = await new WebhookReceiver(SECRET).start();
    const config = alertsConfig(`${FAST_OUTBOX}  webhooks:
    - { id: crew-a, url: "${crew.url}", secret: ${SECRET} }
    - { id: crew-b, url: "${ticketsOnly.url}", secret: ${SECRET}, events: [ticket.filed] }`);
    const deps = await alertsDeps(config);
    const service = new AlertsService(deps);
    cleanups.push(async () => {
      await service.stop();
      await Promise.all([crew.close(), ticketsOnly.close()]);
      await deps.db.close();
    });

    const cam = viewCamera(lens.aligner, lens.clear, [lens.clear, lens.covered, lens.covered, lens.clear], 'jinjiang-north');
    for (let i = 0; i < 4; i++) expect((await cam.sample()).outcome).toBe('ok');
    const [changed, restored] = cam.state.announced;
    expect(cam.state.announced).toHaveLength(2);
    expect((await acceptViewChange(deps, changed!)).recorded).toBe(true);
    // The queue delivers a message again (a consumer died before acknowledging it): nothing new.
    expect((await acceptViewChange(deps, changed!)).recorded).toBe(false);
    expect((await acceptViewChange(deps, restored!)).recorded).toBe(true);
    expect((await listViewChanges(deps.db, 'jinjiang-north')).map((c) => [c.event, c.state, c.reason])).toEqual([
      ['camera.view_changed', 'obstructed', 'covered'],
      ['camera.view_restored', 'aligned', null],
    ]);

    service.start();
    await until(() => crew.accepted.length === 2, 60_000, 'two view-change messages');
    await until(async () => (await listDeliveries(deps.db, { state: 'pending' })).length === 0, 60_000, 'outbox drained');
    const [a, b] = crew.accepted;
    expect(a!.event).toBe('camera.view_changed');
    expect(a!.body).toMatchObject({
      event: 'camera.view_changed',
      camera: { id: 'jinjiang-north', name: '锦江路北门 Jinjiang Rd north gate' },
      view: { state: 'obstructed', reason: 'covered', since: new Date(changed!.since).toISOString() },
      was: { state: 'aligned' },
    });
    const url = new URL(a!.body.picture_url as string);
    expect(url.pathname).toMatch(/^\/evidence\/[0-9a-f]{64}\.jpg$/);
    const sha = url.pathname.slice('/evidence/'.length, -'.jpg'.length);
    expect(deps.evidence.refuse(sha, Number(url.searchParams.get('exp')), url.searchParams.get('sig')!)).toBeUndefined();
    expect((await deps.evidence.get(sha))!.equals(lens.covered)).toBe(true);
    expect(b!.event).toBe('camera.view_restored');
    expect(b!.body).toMatchObject({ view: { state: 'aligned' }, was: { state: 'obstructed', reason: 'covered' } });
    expect(crew.duplicates).toBe(0);
    expect(ticketsOnly.accepted).toEqual([]);

    // Past alerts.evidence.keep the pictures go (the changes stay on record, without their picture).
    expect(await purgeOldEvidence(deps.db, deps.evidence, config.alerts.evidence.keep, Date.now() + config.alerts.evidence.keep + 60_000)).toBe(2);
    expect(await deps.evidence.get(sha)).toBeUndefined();
    expect((await listViewChanges(deps.db, 'jinjiang-north')).map((c) => c.pictureSha256)).toEqual([null, null]);
    // A store, an aligner and an outbox on a busy two-core box: a generous limit (not a speed check).
  }, 180_000);
});
