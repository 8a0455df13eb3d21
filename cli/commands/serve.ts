import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, type ConnectionOptions } from 'bullmq';
import type { FastifyPluginAsync } from 'fastify';
import { AlertsService } from '../../alerts/service.js';
import { acceptIncident, type AlertsDeps } from '../../alerts/intake.js';
import { acceptViewChange } from '../../alerts/view_changes.js';
import { EvidenceStore } from '../../alerts/evidence_store.js';
import { evidencePlugin } from '../../alerts/http.js';
import { buildApi } from '../../api/server.js';
import { configPath, loadConfig } from '../../config/load.js';
import { packageRoot } from '../../core/paths.js';
import type { CameraConfig } from '../../config/schema.js';
import type { CalibrationSet } from '../../rules/calibration.js';
import { intFlag } from '../flags.js';
import type { IncidentMessage, ViewChangeMessage } from '../../core/types.js';
import { log } from '../../core/log.js';
import { fleetMetricsText, fleetStatus } from '../../queue/fleet.js';
import { redisKeys } from '../../queue/keys.js';
import { incidentBackoff, openQueues, QUEUE_NAMES, queueEvents } from '../../queue/queues.js';
import { createRechecker } from '../../queue/rechecks.js';
import { connectRedis, isConnectionError, startEmbeddedRedis, waitForRedis, type EmbeddedRedis } from '../../queue/redis.js';
import { Scheduler } from '../../queue/scheduler.js';
import { PatrolFleet } from '../../queue/patrol_fleet.js';
import { onShutdown, SHUTDOWN_DRAIN_MS } from '../../queue/shutdown.js';
import { recordStuckWorker } from '../../queue/stuck_worker.js';
import { WorkerPool } from '../../queue/worker_pool.js';
import { calibrationSets } from '../../store/calibration.js';
import { referencePictures } from '../../store/reference_views.js';
import { readView, readViewPicture } from '../../queue/views.js';
import { allCameras, getCamera } from '../../store/cameras.js';
import { importConfigFile } from '../../store/config_import.js';
import { openDb, type Db } from '../../store/db.js';
import type { CameraHealth } from '../../streams/health.js';
import { stopKeyframeDecoders } from '../../streams/keyframe_decoder.js';
import { redactUrl } from '../../streams/redact.js';
import { backoffPolicy } from '../../streams/schema.js';
import { snapshotter } from '../../queue/snapshots.js';

export const summary = 'serve [--config FILE] [--port N] [--workers N]: scheduler, alerts, HTTP API + console + evidence (and N detection worker processes)';

const USAGE = `usage: weisu serve [--config FILE] [--port N] [--host H] [--workers N]
  Runs the store (PGlite in <data_dir>/db unless DATABASE_URL), Redis (its own redis-server unless REDIS_URL),
  the sampling scheduler, the alerts sender and the HTTP server. Detection runs in \`weisu worker\` processes
  pointed at the same Redis, or in N child processes of serve with --workers N (watched: one that stops
  answering is killed and replaced, and the cameras it held say so in their health).
  --port N      HTTP port (default server.port)      --host H   HTTP address (default server.host)
  --workers N   also run N detection worker processes (default 0)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, workers: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const path = configPath(values.config);
  const cfg = loadConfig(path);
  if (values.port !== undefined) cfg.server.port = intFlag('--port', values.port, 0);
  if (values.host !== undefined) cfg.server.host = values.host;
  const workerProcesses = values.workers === undefined ? 0 : intFlag('--workers', values.workers, 0);
  const dataDir = resolve(cfg.data_dir);
  const prefix = cfg.workers.prefix;
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((e: Error) => log.warn({ err: e.message }, 'error while stopping'));
  };

  try {
    const db = await openDb({ databaseUrl: process.env.DATABASE_URL, dataDir: join(dataDir, 'db') });
    stops.push(() => db.close());

    let embedded: EmbeddedRedis | undefined;
    if (!process.env.REDIS_URL) {
      embedded = await startEmbeddedRedis(dataDir);
      stops.push(() => embedded!.stop());
    }
    const redisUrl = process.env.REDIS_URL ?? embedded!.url;
    const redis = connectRedis(redisUrl, 'weisu-serve');
    stops.push(async () => redis.disconnect());
    await waitForRedis(redis, redisUrl);

    const imported = await importConfigFile(db, path);
    log.info(imported, 'cameras of the configuration file imported');

    const keys = redisKeys(prefix);
    const queues = openQueues(redis, prefix);
    stops.push(() => queues.close());
    const patrols = new PatrolFleet(redis, keys, cfg.streams);
    const scheduler = new Scheduler({ redis, keys, queues, patrols, listCameras: () => allCameras(db), calibrationOf: (cam) => binCalibration(db, cam), referencesOf: (cam) => referencePictures(db, cam.id) });
    await scheduler.start();
    stops.push(() => patrols.stop(), () => scheduler.stop());

    const evidence = new EvidenceStore({ dir: join(dataDir, 'evidence'), publicUrl: cfg.public_url, secret: cfg.alerts.signing_secret, ttlMs: cfg.alerts.evidence.url_ttl });
    const alertsDeps: AlertsDeps = { db, config: cfg, evidence, log, findCamera: async (id) => (await getCamera(db, id))?.camera };
    // The embedded store has one connection: its transactions go one at a time anyway.
    const incidents = new Worker<IncidentMessage>(QUEUE_NAMES.incidents, (job) => acceptIncident(alertsDeps, job.data), {
      connection: redis as unknown as ConnectionOptions,
      prefix,
      concurrency: db.kind === 'pglite' ? 1 : 4,
      name: 'weisu-serve',
      settings: { backoffStrategy: incidentBackoff },
    });
    incidents.on('failed', (job, e) => log.warn({ incident: job?.data.event.incidentId, attempt: job?.attemptsMade, err: e.message }, 'incident not accepted yet; retrying'));
    incidents.on('error', (e) => isConnectionError(e) || log.warn({ err: e.message }, 'incidents consumer error'));
    stops.push(() => incidents.close());
    // View changes (a camera moved, covered, back) reach crews' webhooks through the store's outbox too.
    const viewChanges = new Worker<ViewChangeMessage>(QUEUE_NAMES.viewChanges, (job) => acceptViewChange(alertsDeps, job.data), {
      connection: redis as unknown as ConnectionOptions,
      prefix,
      concurrency: 1,
      name: 'weisu-serve',
      settings: { backoffStrategy: incidentBackoff },
    });
    viewChanges.on('failed', (job, e) => log.warn({ camera: job?.data.cameraId, event: job?.data.event, attempt: job?.attemptsMade, err: e.message }, 'view change not recorded yet; retrying'));
    viewChanges.on('error', (e) => isConnectionError(e) || log.warn({ err: e.message }, 'view changes consumer error'));
    stops.push(() => viewChanges.close());

    const rechecksDone = queueEvents(redis, prefix, QUEUE_NAMES.rechecks);
    stops.push(() => rechecksDone.close());
    const alerts = new AlertsService({ ...alertsDeps, recheck: createRechecker(queues, rechecksDone) });
    alerts.start();
    stops.push(() => alerts.stop());

    const pool = new WorkerPool({
      size: workerProcesses,
      entry: fileURLToPath(new URL(`../worker_process.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url)),
      config: cfg,
      redisUrl,
      silenceMs: cfg.workers.watchdog,
      onStuck: (stuck) => recordStuckWorker(redis, keys, stuck, backoffPolicy(cfg.streams)),
    });
    await pool.start();
    // Workers drain before the queues and Redis they use go away (stops run in reverse).
    stops.push(() => pool.close(SHUTDOWN_DRAIN_MS));

    const consoleDir = join(packageRoot, 'console', 'dist');
    const snapshot = snapshotter(redis, keys, cfg.streams);
    stops.push(async () => stopKeyframeDecoders());
    const evidenceRoutes: FastifyPluginAsync = (app) => evidencePlugin(app, { store: evidence });
    const app = await buildApi({
      db,
      config: cfg,
      health: async (id) => {
        const raw = await redis.hget(keys.health, id);
        return raw ? (JSON.parse(raw) as CameraHealth) : undefined;
      },
      snapshot,
      view: (id) => readView(redis, keys, id),
      viewPicture: (id) => readViewPicture(redis, keys, id),
      onCamerasChanged: () => void scheduler.reconcileSoon(),
      metrics: async () => fleetMetricsText(await fleetStatus(redis, keys, queues)) + pool.metricsText(),
      plugins: [evidenceRoutes],
      evidenceUrl: (sha) => evidence.url(sha),
      consoleDir: existsSync(consoleDir) ? consoleDir : undefined,
    });
    stops.push(() => app.close());
    const address = await app.listen({ host: cfg.server.host, port: cfg.server.port });
    // CLI commands refused the store while this server owns it are told to go through this address instead.
    db.lock?.update({ url: address });
    console.log(
      `weisu serve: listening on ${address}; redis ${redactUrl(redisUrl)}${embedded ? ' (embedded)' : ''}; store ${db.kind}; ` +
        `${(await queues.samples.getJobSchedulersCount())} camera(s) scheduled; ${workerProcesses} worker process(es)`,
    );
  } catch (e) {
    await stopAll();
    throw e;
  }
  await onShutdown(async (signal) => {
    log.info({ signal }, 'shutting down: draining workers and consumers');
    await stopAll();
  });
  return 0;
}

/** The camera's bin-site calibration, per zone, for the model each site is judged by (plain arrays: it travels as JSON). */
async function binCalibration(db: Db, cam: CameraConfig): Promise<Record<string, CalibrationSet>> {
  const out: Record<string, CalibrationSet> = {};
  for (const zone of cam.zones) {
    if (zone.kind !== 'bin_site') continue;
    const set = (await calibrationSets(db, cam.id, zone.model))[zone.id];
    if (set) out[zone.id] = { normal: set.normal.map((e) => Array.from(e)), overflowing: set.overflowing.map((e) => Array.from(e)) };
  }
  return out;
}
