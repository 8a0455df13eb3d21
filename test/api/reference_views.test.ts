import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraView } from '../../queue/views.js';
import { referencePictures } from '../../store/reference_views.js';
import { jpegPixelBomb } from '../support/picture_bombs.js';
import { media } from '../support/paths.js';
import { auth, cameraBody, startApi, type Harness } from './harness.js';

/** Reference views through the API on the embedded store: taken, retaken per preset, published for workers, refused when hostile. */
const JPEG = readFileSync(media('street/parked_car_red.jpg'));

describe('reference views API', () => {
  let h: Harness;
  let changes = 0;
  const views = new Map<string, CameraView>();
  const call = (method: string, url: string, payload?: unknown, token = h.tokens.admin) =>
    h.app.inject({ method: method as 'GET', url, headers: auth(token), ...(payload === undefined ? {} : { payload: payload as object }) });

  beforeAll(async () => {
    h = await startApi('pglite', {
      deps: {
        onCamerasChanged: () => changes++,
        snapshot: async (id) => (id === 'cam-1' || id === 'cam-3' ? JPEG : undefined),
        view: async (id) => views.get(id),
        viewPicture: async (id) => (views.get(id)?.state === 'obstructed' ? JPEG : undefined),
      },
    });
    expect((await call('POST', '/api/v1/cameras', cameraBody('cam-1'))).statusCode).toBe(201);
    expect((await call('POST', '/api/v1/cameras', cameraBody('cam-2'))).statusCode).toBe(201);
  });
  afterAll(async () => h?.close());

  it("takes the camera's current picture, scaled for workers, and publishes a new id each time it is retaken", async () => {
    const before = changes;
    const first = await call('POST', '/api/v1/cameras/cam-1/reference', {}, h.tokens.operator);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ camera_id: 'cam-1', preset: '', width: 960, taken_by: 'user:operator' });
    expect(changes).toBe(before + 1);
    const pic = await call('GET', '/api/v1/cameras/cam-1/reference', undefined, h.tokens.viewer);
    expect(pic.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(pic.rawPayload).metadata()).width).toBe(960);
    const again = (await call('POST', '/api/v1/cameras/cam-1/reference', {})).json();
    expect(again.id).not.toBe(first.json().id);
    const published = await referencePictures(h.db, 'cam-1');
    expect(published.map((p) => p.id)).toEqual([again.id]);
  });

  it('keeps one view per PTZ preset, from an uploaded picture', async () => {
    const small = await sharp(JPEG).resize(800).jpeg().toBuffer();
    const res = await call('POST', '/api/v1/cameras/cam-1/reference', { preset: 'gate', frame_jpeg_base64: small.toString('base64') });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ preset: 'gate', width: 800 });
    expect((await call('GET', '/api/v1/cameras/cam-1/references')).json().items.map((v: { preset: string }) => v.preset)).toEqual(['', 'gate']);
    expect((await referencePictures(h.db, 'cam-1')).map((p) => p.preset)).toEqual([undefined, 'gate']);
    expect((await call('GET', '/api/v1/cameras/cam-1/reference?preset=nope')).json()).toMatchObject({ status: 404, type: 'urn:weisu:problem:no_reference' });
  });

  it('refuses what is not a picture, picture bombs, viewers, and cameras giving no picture', async () => {
    const bad = await call('POST', '/api/v1/cameras/cam-1/reference', { frame_jpeg_base64: Buffer.from('not a picture').toString('base64') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'frame_jpeg_base64' });
    const bomb = await call('POST', '/api/v1/cameras/cam-1/reference', { frame_jpeg_base64: (await jpegPixelBomb(20_000, 20_000)).toString('base64') });
    expect(bomb.statusCode).toBe(400);
    expect((await call('POST', '/api/v1/cameras/cam-1/reference', {}, h.tokens.viewer)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/cameras/cam-2/reference', {})).json()).toMatchObject({ status: 409, type: 'urn:weisu:problem:no_frame' });
    expect((await call('POST', '/api/v1/cameras/cam-1/reference', { preset: '../x' })).statusCode).toBe(400);
  });

  it('takes the current picture as the reference view when zones are saved on a camera that has none, and only then', async () => {
    expect((await call('POST', '/api/v1/cameras', cameraBody('cam-3', { zones: [] }))).statusCode).toBe(201);
    expect((await call('GET', '/api/v1/cameras/cam-3/references')).json().items).toEqual([]);
    const zone = cameraBody('cam-3').zones as { id: string }[];
    const put = await call('PUT', '/api/v1/cameras/cam-3/zones/gate', zone[0], h.tokens.operator);
    expect(put.statusCode, put.body).toBe(201);
    const [taken] = (await call('GET', '/api/v1/cameras/cam-3/references')).json().items;
    expect(taken).toMatchObject({ camera_id: 'cam-3', preset: '', width: 960, taken_by: 'user:operator' });
    // Redrawing keeps the reference the zones were first drawn on (retaking is the operator's call).
    expect((await call('PUT', '/api/v1/cameras/cam-3/zones/gate', { ...zone[0], dwell: '10m' })).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/cameras/cam-3/references')).json().items.map((v: { id: string }) => v.id)).toEqual([taken.id]);
    // A camera giving no picture keeps its zones and has no reference yet.
    expect((await call('PUT', '/api/v1/cameras/cam-2/zones/kerb', { ...zone[0], id: 'kerb' })).statusCode).toBe(201);
    expect((await call('GET', '/api/v1/cameras/cam-2/references')).json().items).toEqual([]);
    // A zone drawn on a preset's view makes the current picture that preset's reference.
    expect((await call('PUT', '/api/v1/cameras/cam-3/zones/kerb', { ...zone[0], id: 'kerb', preset: 'east' })).statusCode).toBe(201);
    expect((await call('GET', '/api/v1/cameras/cam-3/references')).json().items.map((v: { preset: string }) => v.preset)).toEqual(['', 'east']);
  });

  it("says whether the camera shows its reference view, with the picture of an obstruction", async () => {
    expect((await call('GET', '/api/v1/cameras/cam-1/view')).json()).toEqual({ camera_id: 'cam-1', state: 'unknown' });
    views.set('cam-1', { state: 'obstructed', reason: 'covered', since: Date.parse('2026-12-03T10:00:00Z'), at: Date.parse('2026-12-03T10:05:00Z') });
    expect((await call('GET', '/api/v1/cameras/cam-1/view', undefined, h.tokens.viewer)).json()).toEqual({
      camera_id: 'cam-1',
      state: 'obstructed',
      reason: 'covered',
      since: '2026-12-03T10:00:00.000Z',
      checked_at: '2026-12-03T10:05:00.000Z',
      picture_url: '/api/v1/cameras/cam-1/view/picture',
    });
    // The health the camera wall reads says so too, with the picture to look at.
    expect((await call('GET', '/api/v1/cameras/cam-1/health', undefined, h.tokens.viewer)).json()).toMatchObject({
      camera_id: 'cam-1',
      view: { state: 'obstructed', reason: 'covered', picture_url: '/api/v1/cameras/cam-1/view/picture' },
    });
    expect((await call('GET', '/api/v1/cameras/cam-1/view/picture')).headers['content-type']).toBe('image/jpeg');
    views.set('cam-1', { state: 'aligned', since: 1, at: 2, shift: 0.02 });
    expect((await call('GET', '/api/v1/cameras/cam-1/health')).json().view).toEqual({ camera_id: 'cam-1', state: 'aligned', since: new Date(1).toISOString(), checked_at: new Date(2).toISOString(), shift: 0.02 });
    expect((await call('GET', '/api/v1/cameras/cam-1/view/picture')).statusCode).toBe(404);
  });
});
