import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchTable } from './index.js';
import { renderEvidence } from '../alerts/evidence.js';
import { EvidenceStore } from '../alerts/evidence_store.js';
import { acceptIncident } from '../alerts/intake.js';
import { AlertsService } from '../alerts/service.js';
import { parseConfig } from '../config/load.js';
import { openDb } from '../store/db.js';
import { listTickets } from '../store/tickets.js';
import { Open311Server } from '../test/support/open311_server.js';
import { media } from '../test/support/paths.js';
import { log } from '../core/log.js';
import type { BBox, IncidentMessage } from '../core/types.js';

export const title = 'alerts: evidence rendering and ticket filing';

const T0 = Date.parse('2026-11-26T00:01:02Z');

function message(id: string, picture: string, size: { width: number; height: number }, box: BBox): IncidentMessage {
  const jpegBase64 = readFileSync(media(picture)).toString('base64');
  return {
    event: { type: 'confirmed', incidentId: id, cameraId: 'cam', zoneId: 'gate', kind: 'no_parking', firstSeen: T0, confirmedAt: T0 + 600_000, lastSeen: T0 + 600_000, ts: T0 + 600_000, subject: { box, label: 'car', score: 0.9 }, frameSize: size },
    frames: [
      { ts: T0, jpegBase64, role: 'first_seen' },
      { ts: T0 + 600_000, jpegBase64, role: 'confirmed' },
    ],
  };
}

const PICTURES: [string, { width: number; height: number }, BBox][] = [
  ['weather/waymo_daytime_fair_weather_1.jpg', { width: 300, height: 200 }, [170, 90, 250, 150]],
  ['street/road_parked_cars_lane00000.jpg', { width: 1640, height: 590 }, [1050, 280, 1400, 470]],
  ['street/parked_car_red.jpg', { width: 4317, height: 2775 }, [300, 400, 4000, 2600]],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<BenchTable> {
  const rows: (string | number)[][] = [];
  const camera = { id: 'cam', name: 'Bench camera', location: { lat: 40.1, lon: 124.3, address: 'Bench Rd 1' }, timezone: 'Asia/Shanghai' };
  for (const [picture, size, box] of PICTURES) {
    const m = message('x', picture, size, box);
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const out = await renderEvidence({ event: m.event, frames: m.frames, camera, polygon: [[0.5, 0.4], [0.95, 0.4], [0.95, 0.95], [0.5, 0.95]], blurPeople: true, quality: 85, maxBytes: 2_000_000, maxImages: 4 });
      times.push(performance.now() - t);
      bytes = out[0]!.jpeg.length;
    }
    rows.push([`render evidence (main + first seen) ${size.width}×${size.height}`, median(times), `${Math.round(bytes / 1024)} KiB main`]);
  }

  // Filing: accept N incidents into PGlite, then time the sender until every ticket is filed.
  const N = 100;
  const server = await new Open311Server({ apiKey: 'bench-key', serviceCodes: ['IP-01', 'SW-07'] }).start();
  const config = parseConfig(
    `public_url: http://127.0.0.1:8080
cameras: [{ id: cam, url: /dev/null, location: { lat: 40.1, lon: 124.3, address: Bench Rd 1 } }]
case_api: { kind: open311, endpoint: "${server.endpoint}", api_key: bench-key, service_codes: { illegal_parking: IP-01, bin_overflow: SW-07 } }
alerts: { outbox: { poll: 10ms, concurrency: 8 } }`,
    'bench',
    {},
  );
  const db = await openDb({});
  const evidence = new EvidenceStore({ dir: mkdtempSync(join(tmpdir(), 'weisu-bench-')), publicUrl: config.public_url, ttlMs: 86_400_000 });
  const deps = { db, config, evidence, log: log.child({}, { level: 'warn' }) };
  const [picture, size, box] = PICTURES[0]!;
  let t = performance.now();
  for (let i = 0; i < N; i++) await acceptIncident(deps, message(`cam:gate:${i}`, picture, size, box));
  const acceptMs = performance.now() - t;
  const service = new AlertsService(deps);
  t = performance.now();
  service.start();
  while ((await listTickets(db, { state: 'filed' })).length < N) await new Promise((r) => setTimeout(r, 10));
  const fileMs = performance.now() - t;
  await service.stop();
  await server.close();
  await db.close();
  rows.push([`accept ${N} incidents (render + one transaction each, PGlite)`, acceptMs / N, `${(N / (acceptMs / 1000)).toFixed(1)} incidents/s`]);
  rows.push([`file ${N} tickets to a local Open311 server (8 in flight)`, fileMs / N, `${(N / (fileMs / 1000)).toFixed(1)} tickets/s`]);
  return { columns: ['step', 'ms each (median / mean)', 'notes'], rows, notes: ['Machine load from other processes affects these numbers; compare runs on an idle machine.'] };
}
