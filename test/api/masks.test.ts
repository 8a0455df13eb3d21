import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCameras } from '../../store/cameras.js';
import { STORE_KINDS } from '../support/postgres.js';
import { auth, cameraBody, startIncidentApi } from './harness.js';

/** "Not a vehicle": a verdict that rejects a parking incident and masks its place for the zone, undoable. */
describe.each(STORE_KINDS)('not-a-vehicle masks on %s', (kind) => {
  let h: Awaited<ReturnType<typeof startIncidentApi>>;
  let changed = 0;
  const enc = encodeURIComponent;
  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, token?: string, payload?: object) =>
    h.app.inject({ method, url, headers: auth(token ?? h.tokens.operator), ...(payload ? { payload } : {}) });
  const gateMasks = async () => (await allCameras(h.db)).find((c) => c.id === 'jinjiang-north')!.zones.find((z) => z.id === 'gate')!;

  beforeAll(async () => {
    h = await startIncidentApi(kind, { onCamerasChanged: () => void changed++ });
    const created = await h.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(h.tokens.admin), payload: cameraBody('jinjiang-north') });
    expect(created.statusCode, created.body).toBe(201);
  });
  afterAll(async () => h?.close());

  it('rejects the incident, masks the boxed place for its zone (reaching the zone the workers get), and undoes', async () => {
    const id = await h.fileIncident();
    const incident = (await inject('GET', `/api/v1/incidents/${enc(id)}`)).json();
    const made = await inject('POST', `/api/v1/incidents/${enc(id)}/not-a-vehicle`, undefined, { note: 'loudspeaker box' });
    expect(made.statusCode, made.body).toBe(201);
    const mask = made.json();
    const { width, height } = incident.frame_size;
    expect(mask).toMatchObject({ camera_id: 'jinjiang-north', zone_id: 'gate', note: 'loudspeaker box', incident_id: id, actor: 'user:operator' });
    expect(mask.box[0]).toBeCloseTo(incident.subject.box[0] / width, 5);
    expect(mask.box[3]).toBeCloseTo(incident.subject.box[3] / height, 5);
    expect(changed).toBeGreaterThan(0);

    const after = (await inject('GET', `/api/v1/incidents/${enc(id)}`)).json();
    expect(after).toMatchObject({ review: { decision: 'rejected', reason: 'not a vehicle: loudspeaker box' }, ticket: { state: 'rejected' } });
    const zone = await gateMasks();
    expect(zone.kind === 'no_parking' && zone.masks).toEqual([{ id: mask.id, box: mask.box, note: 'loudspeaker box', incident_id: id }]);
    expect((await inject('GET', '/api/v1/cameras/jinjiang-north/zones/gate/masks', h.tokens.viewer)).json().items).toEqual([mask]);

    // One mask per incident; a viewer may not give verdicts.
    expect((await inject('POST', `/api/v1/incidents/${enc(id)}/not-a-vehicle`)).statusCode).toBe(409);
    expect((await inject('POST', `/api/v1/incidents/${enc(await h.fileIncident())}/not-a-vehicle`, h.tokens.viewer)).statusCode).toBe(403);

    const undone = await inject('DELETE', `/api/v1/cameras/jinjiang-north/zones/gate/masks/${mask.id}`);
    expect(undone.statusCode, undone.body).toBe(204);
    expect((await inject('GET', '/api/v1/cameras/jinjiang-north/zones/gate/masks')).json().items).toEqual([]);
    const zoneAfter = await gateMasks();
    expect(zoneAfter.kind === 'no_parking' && zoneAfter.masks).toEqual([]);
    expect((await inject('DELETE', `/api/v1/cameras/jinjiang-north/zones/gate/masks/${mask.id}`)).json()).toMatchObject({ status: 404, field: 'maskId' });
  });

  it('refuses a bin incident: only a parking incident boxes a would-be vehicle', async () => {
    const bin = await h.fileIncident({ kind: 'bin_overflow' });
    expect((await inject('POST', `/api/v1/incidents/${enc(bin)}/not-a-vehicle`)).json()).toMatchObject({ status: 400, field: 'id' });
  });
});
