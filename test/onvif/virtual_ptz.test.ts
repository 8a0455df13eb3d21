import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ViewAligner, type ReferencePicture } from '../../align/aligner.js';
import { OnvifClient, OnvifError } from '../../onvif/client.js';
import { envelope, usernameToken } from '../../onvif/soap.js';
import { openSource } from '../../streams/source.js';
import { eventually } from '../support/weisu.js';
import { media } from '../support/paths.js';
import { cropFor, decodePicture, startVirtualPtz, type RawPicture, type VirtualPtz } from '../support/virtual_ptz.js';

/**
 * weisu's ONVIF client against the virtual PTZ dome (real SOAP over HTTP, real RTSP/H.264 from GStreamer):
 * presets, GotoPreset, GetStatus while the head travels and after it arrived, the picture following the
 * head (checked by weisu's own alignment against each preset's view), covered and defocused lenses, and
 * WS-Security refusing a wrong password, a replayed nonce and an unsigned request.
 */
const USER = 'patrol';
const PASSWORD = 'ptz-secret-Zq81';
const PRESETS = [
  { token: '1', name: 'west kerb', position: { pan: -0.8, tilt: 0, zoom: 0.5 } },
  { token: '2', name: 'east kerb', position: { pan: 0.8, tilt: 0, zoom: 0.5 } },
];
const LOOPBACK = { allowNetworks: [], allowLocal: true };

let cam: VirtualPtz;
let big: RawPicture;
let aligner: ViewAligner;
let refs: ReferencePicture[];

/** What the dome shows at a preset, rendered straight from the big picture: the preset's reference view. */
async function presetView(i: number): Promise<ReferencePicture> {
  const crop = cropFor(PRESETS[i]!.position, big, 16 / 9);
  const jpeg = await sharp(big.data, { raw: { width: big.width, height: big.height, channels: 3 } }).extract(crop).resize(640, 360, { fit: 'fill' }).jpeg().toBuffer();
  return { id: `ref-${PRESETS[i]!.token}`, preset: PRESETS[i]!.token, jpegBase64: jpeg.toString('base64') };
}

/** Retries `check` (expectations) until it passes: the head and the encoder take their time. */
const until = (what: string, ms: number, check: () => Promise<void>) => eventually(async () => (await check(), true), ms, what);

async function grab() {
  const src = openSource({ cameraId: 'ptz', url: cam.rtspUrl, connectTimeoutMs: 10_000, frameTimeoutMs: 20_000 });
  try {
    return (await src.grab()).jpeg;
  } finally {
    await src.close();
  }
}

beforeAll(async () => {
  big = await decodePicture(media('street/street_timessquare.png'));
  // The camera's clock runs two hours ahead: the client must sign with the camera's time, not its own.
  cam = await startVirtualPtz({ picture: big, user: USER, password: PASSWORD, presets: PRESETS, clockOffsetMs: 2 * 3600_000 });
  aligner = await ViewAligner.create();
  refs = [await presetView(0), await presetView(1)];
}, 180_000);

afterAll(async () => {
  await cam?.stop();
});

describe('virtual PTZ dome and weisu ONVIF client', () => {
  it('reads the presets, goes to one, reports MOVING while the head travels and IDLE at the preset; the picture follows', async () => {
    const client = await OnvifClient.connect({ address: cam.onvifUrl, user: USER, password: PASSWORD }, { policy: LOOPBACK });
    expect(await client.presets()).toEqual(PRESETS);
    expect(await client.status()).toEqual({ moving: false, position: PRESETS[0]!.position });
    const atWest = await aligner.check(await grab(), refs, { maxShift: 0.15 });
    expect(atWest).toMatchObject({ state: 'aligned', preset: '1' });

    await client.gotoPreset('2');
    // 1.6 of pan at 0.8 per second: two seconds on the way.
    const moving = await client.status();
    expect(moving.moving).toBe(true);
    expect(moving.position!.pan).toBeLessThan(0.8);
    await until('head idle at preset 2', 15_000, async () => expect(await client.status()).toEqual({ moving: false, position: PRESETS[1]!.position }));
    await until('picture aligned to preset 2', 20_000, async () => expect(await aligner.check(await grab(), refs, { maxShift: 0.15 })).toMatchObject({ state: 'aligned', preset: '2' }));

    const ops = cam.device.calls.filter((c) => c.ok).map((c) => c.op);
    expect(new Set(ops)).toEqual(new Set(['GetSystemDateAndTime', 'GetCapabilities', 'GetProfiles', 'GetPresets', 'GetStatus', 'GotoPreset']));
  }, 90_000);

  it('plays a covered and a defocused lens on demand, which alignment reads as obstructed', async () => {
    cam.lens('covered');
    await until('covered', 20_000, async () => expect(await aligner.check(await grab(), refs, { maxShift: 0.15 })).toMatchObject({ state: 'obstructed', reason: 'covered' }));
    cam.lens('defocused');
    await until('defocused', 20_000, async () => expect(await aligner.check(await grab(), refs, { maxShift: 0.15 })).toMatchObject({ state: 'obstructed', reason: 'defocused' }));
    cam.lens('clear');
  }, 90_000);

  it('refuses a wrong password with a SOAP fault, and the error names the field, not the password', async () => {
    const err = await OnvifClient.connect({ address: cam.onvifUrl, user: USER, password: 'wrong-password' }, { policy: LOOPBACK }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnvifError);
    expect((err as OnvifError).field).toBe('onvif');
    expect((err as OnvifError).message).toMatch(/refused GetProfiles: ter:NotAuthorized/);
    expect(JSON.stringify({ m: (err as Error).message, f: (err as OnvifError).fix })).not.toContain('wrong-password');
  });

  it('verifies the UsernameToken strictly: unsigned, replayed, stale and forged requests get ter:NotAuthorized', async () => {
    const ptz = cam.onvifUrl.replace('device_service', 'ptz_service');
    const post = (xml: string) => fetch(ptz, { method: 'POST', headers: { 'content-type': 'application/soap+xml' }, body: xml }).then(async (r) => ({ status: r.status, text: await r.text() }));
    const body = '<tptz:GetStatus><tptz:ProfileToken>main</tptz:ProfileToken></tptz:GetStatus>';
    const cameraNow = () => new Date(cam.device.now());

    const unsigned = await post(envelope(body));
    expect(unsigned.status).toBe(400);
    expect(unsigned.text).toContain('ter:NotAuthorized');

    const signed = envelope(body, usernameToken(USER, PASSWORD, cameraNow()));
    expect((await post(signed)).status).toBe(200);
    const replay = await post(signed);
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('nonce replayed');

    const stale = await post(envelope(body, usernameToken(USER, PASSWORD, new Date())));
    expect(stale.text).toMatch(/Created is \d+ s off/);

    const forged = usernameToken(USER, PASSWORD, cameraNow()).replace(/(<wsse:Password[^>]*>)[^<]+/, '$1AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    expect((await post(envelope(body, forged))).text).toContain('wrong user or digest');

    const plain = usernameToken(USER, PASSWORD, cameraNow()).replace('#PasswordDigest', '#PasswordText');
    expect((await post(envelope(body, plain))).text).toContain('only PasswordDigest');

    const doctype = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>${envelope(body).replace(/^<\?xml[^>]*>/, '')}`;
    expect((await post(doctype)).status).toBe(400);
  });

  it('serves the other device, media and PTZ operations: services, device information, stream URI, absolute and continuous moves, stop', async () => {
    const signed = async (service: string, body: string) => {
      const res = await fetch(cam.onvifUrl.replace('device_service', service), {
        method: 'POST',
        headers: { 'content-type': 'application/soap+xml' },
        body: envelope(body, usernameToken(USER, PASSWORD, new Date(cam.device.now()))),
      });
      return { status: res.status, text: await res.text() };
    };
    expect((await signed('device_service', '<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>')).text).toContain('/onvif/ptz_service</tds:XAddr>');
    expect((await signed('device_service', '<tds:GetDeviceInformation/>')).text).toContain('<tds:Model>Virtual PTZ</tds:Model>');
    const uri = await signed('media_service', '<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>main</trt:ProfileToken></trt:GetStreamUri>');
    expect(uri.text).toContain(`<tt:Uri>${cam.rtspUrl}</tt:Uri>`);

    const target = { pan: 0.3, tilt: -0.2, zoom: 0.1 };
    const move = await signed('ptz_service', `<tptz:AbsoluteMove><tptz:ProfileToken>main</tptz:ProfileToken><tptz:Position><tt:PanTilt x="${target.pan}" y="${target.tilt}"/><tt:Zoom x="${target.zoom}"/></tptz:Position></tptz:AbsoluteMove>`);
    expect(move.status).toBe(200);
    await until('head at the absolute target', 15_000, async () => expect(cam.device.position()).toEqual(target));

    await signed('ptz_service', '<tptz:ContinuousMove><tptz:ProfileToken>main</tptz:ProfileToken><tptz:Velocity><tt:PanTilt x="0.5" y="0"/></tptz:Velocity><tptz:Timeout>PT5S</tptz:Timeout></tptz:ContinuousMove>');
    expect(cam.device.moving()).toBe(true);
    await until('head panning right', 5_000, async () => expect(cam.device.position().pan).toBeGreaterThan(target.pan));
    expect((await signed('ptz_service', '<tptz:Stop><tptz:ProfileToken>main</tptz:ProfileToken><tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>true</tptz:Zoom></tptz:Stop>')).status).toBe(200);
    expect(cam.device.moving()).toBe(false);

    const bad = await signed('ptz_service', '<tptz:ContinuousMove><tptz:ProfileToken>main</tptz:ProfileToken><tptz:Velocity><tt:PanTilt x="fast" y="0"/></tptz:Velocity></tptz:ContinuousMove>');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('ter:InvalidArgVal');
    expect((await signed('ptz_service', '<tptz:GotoPreset><tptz:ProfileToken>main</tptz:ProfileToken><tptz:PresetToken>99</tptz:PresetToken></tptz:GotoPreset>')).text).toContain('no preset');
  }, 60_000);

  it('refuses an address the URL policy does not allow, before contacting it', async () => {
    const before = cam.device.calls.length;
    const err = await OnvifClient.connect({ address: cam.onvifUrl, user: USER, password: PASSWORD }, { policy: { allowNetworks: [], allowLocal: false } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnvifError);
    expect((err as OnvifError).message).toMatch(/onvif.address: .*loopback/);
    expect(cam.device.calls.length).toBe(before);
  });
});
