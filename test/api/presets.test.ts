import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import { media } from '../support/paths.js';
import { startVirtualPtz, type VirtualPtz } from '../support/virtual_ptz.js';
import { auth, BASE_CONFIG, cameraBody, startApi, type Harness } from './harness.js';

/**
 * GET /cameras/{id}/presets against the virtual PTZ dome (real ONVIF over loopback): the presets as the
 * camera lists them; the ONVIF password never comes back; a wrong password, a camera without onvif and an
 * address the URL policy refuses each get their own problem naming `onvif`.
 */
const PASSWORD = 'onvif-secret-7Hq';
const PRESETS = [
  { token: 'gate', name: 'School gate', position: { pan: -0.5, tilt: 0.1, zoom: 0.3 } },
  { token: 'market', name: 'Market kerb', position: { pan: 0.6, tilt: -0.2, zoom: 0.6 } },
];

describe('presets API', () => {
  let h: Harness;
  let strict: Harness;
  let cam: VirtualPtz;
  const onvif = (password = PASSWORD) => ({ address: cam.onvifUrl, user: 'op', password });

  beforeAll(async () => {
    cam = await startVirtualPtz({ picture: media('street/street_timessquare.png'), user: 'op', password: PASSWORD, presets: PRESETS, fps: 1 });
    h = await startApi('pglite');
    strict = await startApi('pglite', { config: parseConfig('public_url: http://127.0.0.1:8080\n', 'test config', {}) });
    // Two embedded stores and a GStreamer server: slow to start on a busy 2-core box running other suites.
  }, 180_000);
  afterAll(async () => {
    await Promise.all([h?.close(), strict?.close()]);
    await cam?.stop();
  });

  it('lists the presets the dome reports, to every role; the camera view shows onvif without its password', async () => {
    const made = await h.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(h.tokens.admin), payload: cameraBody('dome', { onvif: onvif() }) });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().onvif).toEqual({ address: cam.onvifUrl, user: 'op', has_password: true });
    expect(made.body).not.toContain(PASSWORD);
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/cameras/dome/presets', headers: auth(h.tokens.viewer) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ items: PRESETS });
  });

  it('a wrong password is a 502 naming onvif, without the password', async () => {
    await h.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(h.tokens.admin), payload: cameraBody('dome-bad', { onvif: onvif('not-the-password') }) });
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/cameras/dome-bad/presets', headers: auth(h.tokens.admin) });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ type: 'urn:weisu:problem:onvif_failed', field: 'onvif' });
    expect(res.json().detail).toMatch(/NotAuthorized/);
    expect(res.body).not.toContain('not-the-password');
  });

  it('a camera without onvif is a 409; moving onvif.address without the password drops the stored one', async () => {
    await h.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(h.tokens.admin), payload: cameraBody('fixed') });
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/cameras/fixed/presets', headers: auth(h.tokens.admin) })).json()).toMatchObject({ status: 409, type: 'urn:weisu:problem:no_onvif' });
    const moved = await h.app.inject({ method: 'PATCH', url: '/api/v1/cameras/dome', headers: auth(h.tokens.admin), payload: { onvif: { address: 'http://127.0.0.2/onvif/device_service' } } });
    expect(moved.statusCode).toBe(400);
    expect(moved.body).toMatch(/onvif\.password/);
  });

  it('an API camera cannot make the server call a loopback ONVIF address unless the admin allows local targets', async () => {
    await strict.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(strict.tokens.admin), payload: cameraBody('dome', { url: 'rtsp://192.0.2.10/x', onvif: onvif() }) });
    const before = cam.device.calls.length;
    const res = await strict.app.inject({ method: 'GET', url: '/api/v1/cameras/dome/presets', headers: auth(strict.tokens.admin) });
    expect(res.statusCode).toBe(502);
    expect(res.json().detail).toMatch(/loopback/);
    expect(cam.device.calls.length).toBe(before);
  });
});
