import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cropBox } from '../../detector/bin_observer.js';
import { getTicketOfIncident, updateTicket } from '../../store/tickets.js';
import { media } from '../support/paths.js';
import { jpegPixelBomb, pngDecompressionBomb } from '../support/picture_bombs.js';
import { STORE_KINDS } from '../support/postgres.js';
import { auth, startIncidentApi, type Harness } from './harness.js';

/** Incidents filed through the real alerts intake (review mode), then reviewed, listed and counted through the API. */
describe.each(STORE_KINDS)('incidents, tickets and statistics on %s', (kind) => {
  let h: Awaited<ReturnType<typeof startIncidentApi>>;
  let parking: string[];
  let bin: string;
  const get = (url: string, token?: string) => h.app.inject({ method: 'GET', url, headers: auth(token ?? h.tokens.viewer) });
  const post = (url: string, payload: object, token?: string) => h.app.inject({ method: 'POST', url, headers: auth(token ?? h.tokens.operator), payload });
  const enc = encodeURIComponent;

  beforeAll(async () => {
    h = await startIncidentApi(kind);
    parking = [await h.fileIncident(), await h.fileIncident(), await h.fileIncident()];
    bin = await h.fileIncident({ kind: 'bin_overflow' });
  });
  afterAll(async () => h?.close());

  it('lists newest first, filters by kind, camera, state and time, pages with a cursor', async () => {
    const all = (await get('/api/v1/incidents')).json();
    expect(all.items.map((i: { id: string }) => i.id)).toEqual([bin, ...[...parking].reverse()]);
    expect((await get('/api/v1/incidents?kind=bin_overflow')).json().items.map((i: { id: string }) => i.id)).toEqual([bin]);
    expect((await get('/api/v1/incidents?camera=other')).json().items).toEqual([]);
    expect((await get('/api/v1/incidents?state=dismissed')).json().items).toEqual([]);
    expect((await get(`/api/v1/incidents?since=${enc(new Date(Date.now() + 60_000).toISOString())}`)).json().items).toEqual([]);
    expect((await get(`/api/v1/incidents?until=${enc(new Date(Date.now() + 60_000).toISOString())}`)).json().items).toHaveLength(4);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await get(`/api/v1/incidents?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).json() as { items: { id: string }[]; next_cursor: string | null };
      ids.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(ids).toEqual(all.items.map((i: { id: string }) => i.id));
    const bad = await get('/api/v1/incidents?kind=fire');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ field: 'kind', in: 'querystring' });
  });

  it('an incident carries its place, signed evidence URLs and its ticket', async () => {
    const inc = (await get(`/api/v1/incidents/${enc(parking[0]!)}`)).json();
    expect(inc).toMatchObject({ kind: 'no_parking', mode: 'review', state: 'open', camera_id: 'jinjiang-north', zone_id: 'gate', review: null, ticket: { state: 'review' } });
    expect(inc.place).toMatchObject({ lat: 40.129, lon: 124.394 });
    expect(inc.evidence.length).toBeGreaterThan(0);
    for (const e of inc.evidence) expect(e.url).toMatch(/^http:\/\/127\.0\.0\.1:1\/evidence\/[0-9a-f]{64}\.jpg\?exp=\d+&sig=[0-9a-f]{64}$/);
    expect((await get('/api/v1/incidents/nope')).json()).toMatchObject({ status: 404, field: 'id' });
  });

  it('approve files the ticket; reject (with a reason) dismisses; a verdict is final', async () => {
    const approved = await post(`/api/v1/incidents/${enc(parking[0]!)}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ review: { decision: 'approved', by: 'user:operator' }, ticket: { state: 'pending' } });
    const again = await post(`/api/v1/incidents/${enc(parking[0]!)}/reject`, { reason: 'changed my mind' });
    expect(again.json()).toMatchObject({ status: 409, type: 'urn:weisu:problem:conflict' });

    const noReason = await post(`/api/v1/incidents/${enc(parking[1]!)}/reject`, { reason: '  ' });
    expect(noReason.json()).toMatchObject({ status: 400, field: 'reason' });
    const rejected = await post(`/api/v1/incidents/${enc(parking[1]!)}/reject`, { reason: 'hearse at the funeral home: allowed' });
    expect(rejected.json()).toMatchObject({ state: 'dismissed', review: { decision: 'rejected', reason: 'hearse at the funeral home: allowed' }, ticket: { state: 'rejected' } });
    expect((await h.db.query<{ action: string; reason: string }>("SELECT action, reason FROM audit WHERE entity = 'incident' AND entity_id = $1 ORDER BY id", [parking[1]])).map((a) => a.action)).toContain('review_rejected');
  });

  it('tickets show status, age and SLA; a filed ticket past its SLA is overdue', async () => {
    const ticket = (await getTicketOfIncident(h.db, parking[0]!))!;
    await updateTicket(h.db, ticket.id, ['pending'], { state: 'filed', filed: true, requestId: 'SR-1001' });
    // Filed 45 minutes ago: the no-parking SLA is 30 minutes.
    await h.db.query("UPDATE tickets SET filed_at = now() - interval '45 minutes' WHERE id = $1", [ticket.id]);
    const list = (await get('/api/v1/tickets')).json();
    const t = list.items.find((x: { incident_id: string }) => x.incident_id === parking[0]);
    expect(t).toMatchObject({ state: 'filed', request_id: 'SR-1001', kind: 'no_parking', camera_id: 'jinjiang-north', overdue: true });
    expect(t.age_seconds).toBeGreaterThanOrEqual(45 * 60 - 5);
    expect(Date.parse(t.sla_due_at) - Date.parse(t.filed_at)).toBe(30 * 60_000);
    expect(list.items.find((x: { incident_id: string }) => x.incident_id === bin)).toMatchObject({ state: 'review', overdue: false, sla_due_at: null });
    expect((await get('/api/v1/tickets?state=rejected')).json().items.map((x: { incident_id: string }) => x.incident_id)).toEqual([parking[1]]);
    const page1 = (await get('/api/v1/tickets?limit=2')).json();
    const page2 = (await get(`/api/v1/tickets?limit=2&cursor=${page1.next_cursor}`)).json();
    expect([...page1.items, ...page2.items].map((x: { id: number }) => x.id)).toEqual(list.items.map((x: { id: number }) => x.id));
  });

  it('daily counts, the week\'s hotspots without rejected incidents, and precision', async () => {
    const daily = (await get('/api/v1/stats/daily?days=7&tz=Asia/Shanghai')).json().items;
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    expect(daily).toEqual(
      expect.arrayContaining([
        { day: today, camera_id: 'jinjiang-north', kind: 'no_parking', count: 3, approved: 1, rejected: 1 },
        { day: today, camera_id: 'jinjiang-north', kind: 'bin_overflow', count: 1, approved: 0, rejected: 0 },
      ]),
    );
    expect((await get('/api/v1/stats/daily?tz=Mars/Olympus')).json()).toMatchObject({ status: 400, field: 'tz' });
    const hot = (await get('/api/v1/stats/hotspots?days=7')).json().items;
    expect(hot[0]).toMatchObject({ camera_id: 'jinjiang-north', zone_id: 'gate', kind: 'no_parking', count: 2, rejected: 1, location: { lat: 40.129, lon: 124.394 } });
    expect(hot[1]).toMatchObject({ zone_id: 'bins', kind: 'bin_overflow', count: 1 });
    const precision = (await get('/api/v1/stats/precision')).json().items;
    expect(precision).toEqual([{ kind: 'no_parking', camera_id: 'jinjiang-north', approved: 1, rejected: 1, precision: 0.5 }]);
  });
});

describe('bin-site calibration', () => {
  let h: Harness;
  const FRAME = readFileSync(media('bins/full_ds_0.png'));
  let frameJpeg: Buffer;

  beforeAll(async () => {
    frameJpeg = await sharp(FRAME).jpeg().toBuffer();
    h = await startIncidentApi('pglite', { snapshot: async (id) => (id === 'jinjiang-north' ? frameJpeg : undefined) });
    const { importConfigCameras } = await import('../../store/config_import.js');
    await importConfigCameras(h.db, [
      {
        id: 'jinjiang-north',
        url: 'rtsp://10.0.0.1/a',
        location: { lat: 1, lon: 2 },
        zones: [
          { id: 'bins', kind: 'bin_site', polygon: [[0.2, 0.2], [0.8, 0.2], [0.8, 0.9], [0.2, 0.9]], calibration_k: 2 },
          { id: 'gate', kind: 'no_parking', polygon: [[0.1, 0.1], [0.3, 0.1], [0.3, 0.3]], dwell: '1m' },
        ],
      },
    ]);
  });
  afterAll(async () => h?.close());

  it('labels the latest frame cut as the bin observer cuts it, embedded by the zone\'s model; lists, shows and removes examples', async () => {
    const path = '/api/v1/cameras/jinjiang-north/zones/bins/calibration';
    const made = await h.app.inject({ method: 'POST', url: path, headers: auth(h.tokens.operator), payload: { label: 'overflowing' } });
    expect(made.statusCode, made.body).toBe(201);
    const ex = made.json();
    expect(ex).toMatchObject({ label: 'overflowing', model: 'bin-fullness-yolov8n-cls-256', created_by: 'user:operator', source: 'latest frame' });
    const img = await h.app.inject({ method: 'GET', url: ex.image_url, headers: auth(h.tokens.viewer) });
    expect(img.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(img.rawPayload).metadata();
    const full = await sharp(frameJpeg).metadata();
    const [x1, y1, x2, y2] = cropBox({ polygon: [[0.2, 0.2], [0.8, 0.2], [0.8, 0.9], [0.2, 0.9]] } as never, { width: full.width!, height: full.height! });
    expect([meta.width, meta.height]).toEqual([x2 - x1, y2 - y1]);
    const [row] = await h.db.query<{ n: number }>('SELECT octet_length(embedding) / 4 AS n FROM calibration_examples WHERE id = $1', [ex.id]);
    expect(Number(row!.n)).toBeGreaterThan(16);

    const uploaded = await h.app.inject({ method: 'POST', url: path, headers: auth(h.tokens.operator), payload: { label: 'normal', frame_jpeg_base64: (await sharp(readFileSync(media('bins/notfull_ds_0.png'))).jpeg().toBuffer()).toString('base64') } });
    expect(uploaded.json()).toMatchObject({ label: 'normal', source: 'uploaded frame' });
    const list = (await h.app.inject({ method: 'GET', url: path, headers: auth(h.tokens.viewer) })).json();
    expect(list).toMatchObject({ k: 2, items: [{ label: 'overflowing' }, { label: 'normal' }] });

    const garbage = await h.app.inject({ method: 'POST', url: path, headers: auth(h.tokens.operator), payload: { label: 'normal', frame_jpeg_base64: Buffer.from('not a picture at all').toString('base64') } });
    expect(garbage.json()).toMatchObject({ status: 400, field: 'frame_jpeg_base64' });
    // Pixel and decompression bombs are refused from their headers, before anything decodes them.
    for (const bomb of [await jpegPixelBomb(16_000, 16_000), pngDecompressionBomb(15_000, 15_000)]) {
      const refused = await h.app.inject({ method: 'POST', url: path, headers: auth(h.tokens.operator), payload: { label: 'normal', frame_jpeg_base64: bomb.toString('base64') } });
      expect(refused.json()).toMatchObject({ status: 400, type: 'urn:weisu:problem:image_too_large', field: 'frame_jpeg_base64', detail: expect.stringMatching(/over the 50 MP limit/) });
    }
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/cameras/jinjiang-north/zones/gate/calibration', headers: auth(h.tokens.operator), payload: { label: 'normal' } })).json()).toMatchObject({ status: 409, field: 'zoneId' });

    expect((await h.app.inject({ method: 'DELETE', url: `${path}/${ex.id}`, headers: auth(h.tokens.operator) })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: ex.image_url, headers: auth(h.tokens.viewer) })).statusCode).toBe(404);
    // An example id of another site is not reachable through this one.
    expect((await h.app.inject({ method: 'DELETE', url: `/api/v1/cameras/jinjiang-north/zones/gate/calibration/${uploaded.json().id}`, headers: auth(h.tokens.operator) })).statusCode).toBe(404);
  });
});
