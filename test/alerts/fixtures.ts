import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../config/load.js';
import type { WeisuConfig } from '../../config/schema.js';
import type { IncidentKind, IncidentMessage } from '../../core/types.js';
import { openDb, type Db } from '../../store/db.js';
import { EvidenceStore } from '../../alerts/evidence_store.js';
import type { AlertsDeps } from '../../alerts/intake.js';
import { media } from '../support/paths.js';

/** Builders shared by the alerts tests: a config, real-picture incident messages, a fresh store. */

export const API_KEY = 'test-key-7f3a';

export function alertsConfig(yamlExtra: string, caseApi?: string): WeisuConfig {
  return parseConfig(
    `
public_url: http://127.0.0.1:1/
cameras:
  - id: jinjiang-north
    name: 锦江路北门 Jinjiang Rd north gate
    url: /dev/null
    location: { lat: 40.129, lon: 124.394, address: "锦江路1号 Jinjiang Rd 1" }
    zones:
      - { id: gate, kind: no_parking, polygon: [[0.55,0.45],[0.95,0.45],[0.95,0.95],[0.55,0.95]], dwell: 5m }
      - { id: bins, kind: bin_site, polygon: [[0.1,0.1],[0.9,0.1],[0.9,0.9],[0.1,0.9]] }
${caseApi ?? ''}
${yamlExtra}
`,
    'test config',
    {},
  );
}

export function open311Yaml(endpoint: string, extra = ''): string {
  return `case_api:
  kind: open311
  endpoint: ${endpoint}
  api_key: ${API_KEY}
  service_codes: { illegal_parking: IP-01, bin_overflow: SW-07 }
${extra}`;
}

/** Small real street picture: renders fast (the 200-incident test renders 200 of them). */
export const SMALL_CAR = 'weather/waymo_daytime_fair_weather_1.jpg';
export const LANE = 'street/road_parked_cars_lane00000.jpg';

let counter = 0;

/** A confirmed incident carrying a real picture (first seen and confirmed frames). */
export function confirmedMessage(
  opts: { id?: string; kind?: IncidentKind; picture?: string; box?: [number, number, number, number]; size?: { width: number; height: number }; people?: [number, number, number, number][] } = {},
): IncidentMessage {
  const picture = readFileSync(media(opts.picture ?? SMALL_CAR)).toString('base64');
  const t0 = Date.parse('2026-11-26T00:01:02Z');
  const kind = opts.kind ?? 'no_parking';
  return {
    event: {
      type: 'confirmed',
      incidentId: opts.id ?? `jinjiang-north:${kind === 'no_parking' ? 'gate' : 'bins'}:${t0 + counter++ * 1000}`,
      cameraId: 'jinjiang-north',
      zoneId: kind === 'no_parking' ? 'gate' : 'bins',
      kind,
      firstSeen: t0,
      confirmedAt: t0 + 750_000,
      lastSeen: t0 + 750_000,
      ts: t0 + 750_000,
      subject: { box: opts.box ?? [170, 90, 250, 150], label: kind === 'no_parking' ? 'car' : 'bin', score: 0.88 },
      frameSize: opts.size ?? { width: 300, height: 200 },
    },
    frames: [
      { ts: t0, jpegBase64: picture, role: 'first_seen' },
      { ts: t0 + 750_000, jpegBase64: picture, role: 'confirmed', people: opts.people },
    ],
  };
}

export function clearedMessage(confirmed: IncidentMessage): IncidentMessage {
  return { event: { ...confirmed.event, type: 'cleared', lastSeen: confirmed.event.confirmedAt + 60_000, ts: confirmed.event.confirmedAt + 60_000 }, frames: [] };
}

const PG_ADMIN = process.env.WEISU_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh store: in-memory PGlite, or a new database on the test PostgreSQL server (dropped on close). */
export async function openTestDb(kind: 'pglite' | 'postgres' = 'pglite'): Promise<Db> {
  if (kind === 'pglite') return openDb({});
  const name = `weisu_alerts_${randomBytes(4).toString('hex')}`;
  const admin = await openDb({ databaseUrl: PG_ADMIN });
  await admin.exec(`CREATE DATABASE ${name}`);
  await admin.close();
  const db = await openDb({ databaseUrl: PG_ADMIN.replace(/\/[^/]*$/, `/${name}`) });
  return {
    ...db,
    async close() {
      await db.close();
      const a = await openDb({ databaseUrl: PG_ADMIN });
      await a.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.close();
    },
  };
}

export async function alertsDeps(config: WeisuConfig, kind: 'pglite' | 'postgres' = 'pglite'): Promise<AlertsDeps & { db: Db }> {
  const db = await openTestDb(kind);
  const dir = mkdtempSync(join(tmpdir(), 'weisu-evidence-'));
  const evidence = new EvidenceStore({ dir, publicUrl: config.public_url, ttlMs: config.alerts.evidence.url_ttl, secret: config.alerts.signing_secret });
  return { db, config, evidence };
}

/** Waits until `check` returns true (polling), or fails after `ms`. */
export async function until(check: () => Promise<boolean> | boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const FAST_OUTBOX = `alerts:
  outbox: { base_delay: 20ms, max_delay: 200ms, poll: 20ms, attempts: 10, concurrency: 8 }
`;
