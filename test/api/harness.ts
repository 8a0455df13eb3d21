import type { FastifyInstance } from 'fastify';
import { buildApi, type ApiDeps } from '../../api/server.js';
import { parseConfig } from '../../config/load.js';
import type { WeisuConfig } from '../../config/schema.js';
import type { Db } from '../../store/db.js';
import { createUser, issueToken, ROLES, type Role } from '../../store/users.js';
import { openTestDb, type StoreKind } from '../support/postgres.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceStore } from '../../alerts/evidence_store.js';
import { acceptIncident } from '../../alerts/intake.js';
import { alertsConfig, confirmedMessage, open311Yaml } from '../alerts/fixtures.js';

/** A real API over a real store (PGlite or the PostgreSQL server), with one user and token per role. */
export interface Harness {
  app: FastifyInstance;
  db: Db;
  config: WeisuConfig;
  tokens: Record<Role, string>;
  passwords: Record<Role, string>;
  close(): Promise<void>;
}

/** Test cameras live on loopback, so the harness allows local addresses for API cameras (off by default). */
export const BASE_CONFIG = `
public_url: http://127.0.0.1:8080
streams: { allow_local_from_api: true }
`;

export async function startApi(kind: StoreKind, opts: { configYaml?: string; config?: WeisuConfig; deps?: Partial<ApiDeps> } = {}): Promise<Harness> {
  const { db, close } = await openTestDb(kind);
  const config = opts.config ?? parseConfig(opts.configYaml ?? BASE_CONFIG, 'test config', {});
  const tokens = {} as Record<Role, string>;
  const passwords = {} as Record<Role, string>;
  for (const role of ROLES) {
    passwords[role] = `${role}-password-123`;
    await createUser(db, { username: role, password: passwords[role], role }, 'test');
    tokens[role] = (await issueToken(db, { username: role, kind: 'api', name: 'test' }, 'test')).token;
  }
  const app = await buildApi({ db, config, ...opts.deps });
  await app.ready();
  return {
    app,
    db,
    config,
    tokens,
    passwords,
    close: async () => {
      await app.close();
      await close();
    },
  };
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** A valid camera body (input form) with credentials in the URL and a separate password. */
export function cameraBody(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `Camera ${id}`,
    url: `rtsp://admin:url-secret-${id}@127.0.0.1:8554/${id}`,
    username: 'admin',
    password: `field-secret-${id}`,
    location: { lat: 40.129, lon: 124.394, address: 'Jinjiang Rd 1' },
    sample_every: '10s',
    zones: [{ id: 'gate', kind: 'no_parking', polygon: [[0.1, 0.55], [0.6, 0.55], [0.6, 0.95], [0.1, 0.95]], dwell: '5m' }],
    ...extra,
  };
}

/**
 * Incidents made the real way: alerts' intake (evidence rendered from a real picture, ticket in the
 * outbox) with both kinds in review mode, so approve and reject have a ticket to act on.
 */
export function incidentConfig(): WeisuConfig {
  return alertsConfig('alerts: { modes: { no_parking: review, bin_overflow: review } }\nstreams: { allow_local_from_api: true }', open311Yaml('http://127.0.0.1:1/v2/'));
}

export async function startIncidentApi(
  kind: StoreKind,
  deps: Partial<ApiDeps> = {},
  config = incidentConfig(),
): Promise<Harness & { fileIncident: (o?: { kind?: 'no_parking' | 'bin_overflow' }) => Promise<string> }> {
  const evidence = new EvidenceStore({ dir: mkdtempSync(join(tmpdir(), 'weisu-api-evidence-')), publicUrl: config.public_url, ttlMs: 3_600_000 });
  const h = await startApi(kind, { config, deps: { evidenceUrl: (sha) => evidence.url(sha), ...deps } });
  let n = 0;
  const fileIncident = async (o: { kind?: 'no_parking' | 'bin_overflow' } = {}) => {
    const msg = confirmedMessage({ id: `jinjiang-north:${o.kind === 'bin_overflow' ? 'bins' : 'gate'}:${Date.now()}-${++n}`, kind: o.kind });
    return (await acceptIncident({ db: h.db, config, evidence }, msg)).incidentId;
  };
  return { ...h, fileIncident };
}
