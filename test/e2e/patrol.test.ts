import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '../../queue/redis.js';
import { emptyStreet, renderFrame, scenarioCanvas } from '../../sample/compose.js';
import { Open311Server } from '../support/open311_server.js';
import { parkedCar, STREET } from '../support/scenario.js';
import { startVirtualPtz, type VirtualPtz } from '../support/virtual_ptz.js';
import { eventually, spawnWeisu, type WeisuProcess } from '../support/weisu.js';

/**
 * A patrol end to end, as a user runs it: `weisu serve` drives the virtual PTZ dome over ONVIF between two
 * presets, a `weisu worker` samples it over RTSP at each stop, a strict Open311 server is the case system.
 * The dome's big picture is two real streets side by side: at preset `west` a real car (cut from a real
 * photograph) stands on the hard shoulder under a no-parking zone; at preset `east` the shoulder is empty.
 * Each stay at `west` (6 s) is shorter than the zone's 10 s dwell, so only a stay that accrues across
 * visits can be confirmed: exactly one request is filed, for the west zone, and none for the east one.
 */
const API_KEY = 'e2e-patrol-key';
const ONVIF_PASSWORD = 'e2e-onvif-pass';
const W = 960;
const H = 540;
const PRESETS = [
  { token: 'west', name: 'West shoulder', position: { pan: -1, tilt: 0, zoom: 0 } },
  { token: 'east', name: 'East shoulder', position: { pan: 1, tilt: 0, zoom: 0 } },
];

describe('patrol: dome over ONVIF → worker at each stop → one Open311 ticket from a stay across visits', () => {
  let dir: string;
  let cam: VirtualPtz;
  let open311: Open311Server;
  let serve: WeisuProcess;
  let worker: WeisuProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weisu-e2e-patrol-'));
    const scene = { name: 'patrol-west', durationS: 60, width: W, actors: [parkedCar('redCar', STREET.spots[0]!, 0, 1000, { jitter: 0 })] };
    const west = await renderFrame(scene, await scenarioCanvas(scene), 10);
    const east = await sharp(await emptyStreet()).resize(W, H).flop().png().toBuffer();
    const { data, info } = await sharp({ create: { width: 2 * W, height: H, channels: 3, background: '#000' } })
      .composite([{ input: west, left: 0, top: 0 }, { input: east, left: W, top: 0 }])
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    cam = await startVirtualPtz({ picture: { data, width: info.width, height: info.height }, user: 'patrol', password: ONVIF_PASSWORD, presets: PRESETS, width: W, height: H, fps: 5, start: PRESETS[1]!.position });
    open311 = await new Open311Server({ apiKey: API_KEY, serviceCodes: ['IP-01', 'SW-07'] }).start();
    const httpPort = await freePort();
    const zone = (id: string, preset: string, polygon: [number, number][]) => ({ id, preset, kind: 'no_parking', polygon, dwell: '10s', reference_scene: false });
    const config = {
      public_url: `http://127.0.0.1:${httpPort}`,
      data_dir: join(dir, 'data'),
      detector: { threads: 1 },
      cameras: [
        {
          id: 'dome',
          url: cam.rtspUrl,
          location: { lat: 40.129, lon: 124.394, address: 'Patrol Rd 1' },
          sample_every: '1s',
          onvif: { address: cam.onvifUrl, user: 'patrol', password: '${ONVIF_PASSWORD}' },
          patrol: { stops: [{ preset: 'west', settle: '1s', stay: '6s' }, { preset: 'east', settle: '1s', stay: '6s' }], manual_idle: '1m' },
          zones: [zone('west-shoulder', 'west', STREET.zone), zone('east-shoulder', 'east', STREET.zone.map(([x, y]) => [1 - x, y] as [number, number]))],
        },
      ],
      case_api: { kind: 'open311', endpoint: open311.endpoint, api_key: '${OPEN311_API_KEY}', service_codes: { illegal_parking: 'IP-01', bin_overflow: 'SW-07' } },
    };
    const cfgPath = join(dir, 'weisu.yaml');
    writeFileSync(cfgPath, stringify(config));
    const env = { OPEN311_API_KEY: API_KEY, ONVIF_PASSWORD, REDIS_URL: undefined, DATABASE_URL: undefined };
    serve = spawnWeisu(['serve', '--config', cfgPath, '--port', String(httpPort)], env);
    await serve.waitFor(/listening on/, 120_000);
    worker = spawnWeisu(['worker', '--config', cfgPath], { ...env, WEISU_LOG_LEVEL: 'debug' });
    await worker.waitFor(/taking sampling jobs/, 120_000);
  }, 300_000);

  afterAll(async () => {
    for (const p of [worker, serve]) if (p && p.child.exitCode === null && p.child.signalCode === null) p.kill('SIGKILL');
    await Promise.all([worker, serve].filter(Boolean).map((p) => p.exited));
    await cam?.stop();
    await open311?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const diagnostics = () => `--- serve ---\n${serve.output().slice(-3000)}\n--- worker ---\n${worker.output().slice(-5000)}`;

  it('files exactly one request, for the car at the west preset: confirmed only across visits, each stop being shorter than the dwell', async () => {
    await eventually(() => open311.requests.length > 0, 150_000, () => `an Open311 request\n${diagnostics()}`);
    // One more full round of the patrol: nothing else may be filed.
    const gotos = () => cam.device.calls.filter((c) => c.op === 'GotoPreset' && c.ok).length;
    const after = gotos();
    await eventually(() => gotos() >= after + 2, 60_000, 'another round of the patrol');
    expect(open311.requests, diagnostics()).toHaveLength(1);
    expect(open311.requests[0]).toMatchObject({ service_code: 'IP-01', address: 'Patrol Rd 1' });
    expect(open311.requests[0]!.description).toContain('west-shoulder');
    // The dome was driven by serve's patrol, every request signed with a digest the dome accepted.
    expect(cam.device.calls.filter((c) => !c.ok)).toEqual([]);
  }, 240_000);
});
