import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '../../queue/redis.js';
import { Open311Server } from '../support/open311_server.js';
import { media } from '../support/paths.js';
import { startRtspServer, type RtspServer } from '../support/rtsp.js';
import { buildScenario, parkedCar, removeScenarioDirs, scenarioDir, STREET } from '../support/scenario.js';
import { eventually, spawnWeisu, type WeisuProcess } from '../support/weisu.js';

/**
 * The foundation, end to end, as a user runs it: `weisu serve` and a `weisu worker` as real processes,
 * three cameras served over RTSP by GStreamer's server, a strict Open311 server as the city's case system.
 * - `parked`: a real car (cut from a real photo) drives onto the hard shoulder and stands there far longer
 *   than the 8 s dwell → exactly one request, right service code and place, a media_url serving a JPEG.
 * - `leaving`: the same, but the car drives off after 4 s → nothing filed.
 * - `traffic`: the real traffic video, the zone over the lanes → nothing filed.
 * The live mounts start playing when the RTSP server starts (after serve, before the worker), and the
 * cars arrive 20 s into the video; the test checks the cars were really seen in the zone.
 */
const API_KEY = 'e2e-secret-key';
const PARKED = { lat: 40.129, lon: 124.394, address: 'Jinjiang Rd 1' };

describe('foundation: camera → worker → rules → one Open311 ticket', () => {
  let dir: string;
  let rtsp: RtspServer;
  let open311: Open311Server;
  let serve: WeisuProcess;
  let worker: WeisuProcess;
  let rtspStartedAt = 0;
  let cfgPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weisu-e2e-'));
    const videos = scenarioDir();
    const [parked, leaving] = await Promise.all([
      buildScenario({ name: 'parked', durationS: 60, fps: 5, actors: [parkedCar('redCar', STREET.spots[0]!, 20, 52)] }, videos),
      buildScenario({ name: 'leaving', durationS: 60, fps: 5, actors: [parkedCar('silverCar', STREET.spots[0]!, 20, 24)] }, videos),
    ]);
    open311 = await new Open311Server({ apiKey: API_KEY, serviceCodes: ['IP-01', 'SW-07'] }).start();
    const [httpPort, rtspPort] = [await freePort(), await freePort()];
    const rtspUrl = (path: string) => `rtsp://127.0.0.1:${rtspPort}${path}`;
    const zone = (dwell: string) => [{ id: 'shoulder', kind: 'no_parking', polygon: STREET.zone, dwell }];
    const config = {
      public_url: `http://127.0.0.1:${httpPort}`,
      data_dir: join(dir, 'data'),
      detector: { threads: 1 },
      cameras: [
        { id: 'parked', name: 'Jinjiang Rd north gate', url: rtspUrl('/parked'), location: PARKED, sample_every: '1s', zones: zone('8s') },
        { id: 'leaving', url: rtspUrl('/leaving'), location: { lat: 40.2, lon: 124.4, address: 'Leaving Rd' }, sample_every: '1s', zones: zone('8s') },
        {
          id: 'traffic',
          url: rtspUrl('/traffic'),
          location: { lat: 40.3, lon: 124.5, address: 'Traffic Rd' },
          sample_every: '1s',
          // The near lanes, where passing cars are big and fast (the near kerb a no-parking zone would cover).
          zones: [{ id: 'lanes', kind: 'no_parking', polygon: [[0.15, 0.62], [0.95, 0.62], [0.95, 0.98], [0.15, 0.98]], dwell: '8s' }],
        },
      ],
      case_api: { kind: 'open311', endpoint: open311.endpoint, api_key: '${OPEN311_API_KEY}', service_codes: { illegal_parking: 'IP-01', bin_overflow: 'SW-07' } },
    };
    cfgPath = join(dir, 'weisu.yaml');
    writeFileSync(cfgPath, stringify(config));
    const env = { OPEN311_API_KEY: API_KEY, REDIS_URL: undefined, DATABASE_URL: undefined };
    serve = spawnWeisu(['serve', '--config', cfgPath, '--port', String(httpPort)], env);
    await serve.waitFor(/listening on/, 90_000);
    const live = { live: true, fps: 5, keyInt: 5, bitrate: 1500 };
    rtsp = await startRtspServer({
      port: rtspPort,
      mounts: [
        { path: '/parked', file: parked, ...live },
        { path: '/leaving', file: leaving, ...live },
        { path: '/traffic', file: media('video/video_road_cars_9s.mp4'), ...live, width: 1280 },
      ],
    });
    rtspStartedAt = Date.now();
    // The worker finds the embedded Redis of this serve through the shared data_dir.
    worker = spawnWeisu(['worker', '--config', cfgPath], { ...env, WEISU_LOG_LEVEL: 'debug' });
    await worker.waitFor(/taking sampling jobs/, 90_000);
  }, 240_000);

  afterAll(async () => {
    for (const p of [worker, serve]) if (p && p.child.exitCode === null && p.child.signalCode === null) p.kill('SIGKILL');
    await Promise.all([worker, serve].filter(Boolean).map((p) => p.exited));
    await rtsp?.stop();
    await open311?.close();
    rmSync(dir, { recursive: true, force: true });
    removeScenarioDirs();
  });

  const diagnostics = () => `--- serve ---\n${serve.output().slice(-3000)}\n--- worker ---\n${worker.output().slice(-5000)}`;

  const requestsAt = (address: string) => open311.requests.filter((r) => r.address === address);
  const staysOf = (camera: string) => worker.output().split('\n').filter((l) => l.includes('"stay began"') && l.includes(`"camera":"${camera}"`)).length;

  it('files exactly one Open311 request for the parked car, with a JPEG behind its media_url', async () => {
    // The car stands from 20 s to 52 s of video: confirmed about 28 s in; nothing more is due after that.
    await eventually(() => requestsAt(PARKED.address).length > 0, 80_000, `an Open311 request\n${diagnostics()}`);
    const untilQuiet = rtspStartedAt + 45_000 - Date.now();
    if (untilQuiet > 0) await new Promise((r) => setTimeout(r, untilQuiet));
    expect(requestsAt(PARKED.address), diagnostics()).toHaveLength(1);
    const req = requestsAt(PARKED.address)[0]!;
    expect(req.service_code).toBe('IP-01');
    expect(req.lat).toBeCloseTo(PARKED.lat, 6);
    expect(req.long).toBeCloseTo(PARKED.lon, 6);
    expect(req.attributes).toMatchObject({ found_before_report: 'true' });
    const res = await fetch(req.media_url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/image\/jpeg/);
    const jpeg = Buffer.from(await res.arrayBuffer());
    expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(jpeg.length).toBeGreaterThan(20_000);
  }, 150_000);

  it('files nothing for the car that left before the dwell', () => {
    // The camera was really watched while the car stood in the zone: a stay began (and ended unconfirmed).
    expect(staysOf('leaving'), diagnostics()).toBeGreaterThan(0);
    expect(requestsAt('Leaving Rd')).toEqual([]);
  });

  it('files nothing for traffic driving through', () => {
    expect(staysOf('traffic'), diagnostics()).toBeGreaterThan(0);
    expect(requestsAt('Traffic Rd').map((r) => r.description.split('\n')[0])).toEqual([]);
  });

  it('stops cleanly on SIGTERM: the worker drains, then serve (and its Redis) goes', async () => {
    worker.kill('SIGTERM');
    expect((await worker.exited).code, diagnostics()).toBe(0);
    serve.kill('SIGTERM');
    expect((await serve.exited).code, diagnostics()).toBe(0);
  });
});
