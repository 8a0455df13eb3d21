import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { WeisuConfig } from '../config/schema.js';
import { log } from '../core/log.js';
import type { Db } from '../store/db.js';
import type { CameraHealth } from '../streams/health.js';
import { enforceRoles, identifyCallers } from './auth.js';
import { limitCallers } from './callers.js';
import { bootstrapAdmin } from './bootstrap.js';
import { enforceBodyLimits } from './limits.js';
import { LiveView } from './live.js';
import { HttpMetrics } from './metrics.js';
import { AllowedMethods } from './methods.js';
import { requireOperationIds, swaggerOptions } from './openapi.js';
import { API_PREFIX } from './paths.js';
import { errorHandler, problem, sendProblem } from './problem.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { calibrationRoutes } from './routes/calibration.js';
import { cameraRoutes } from './routes/cameras.js';
import { incidentRoutes } from './routes/incidents.js';
import { plateRoutes } from './routes/plates.js';
import { probeRoutes } from './routes/probe.js';
import { statsRoutes } from './routes/stats.js';
import { setupRoutes } from './routes/setup.js';
import { systemRoutes } from './routes/system.js';
import { ticketRoutes } from './routes/tickets.js';
import { userRoutes } from './routes/users.js';
import { zoneRoutes } from './routes/zones.js';
import { referenceViewRoutes } from './routes/reference_views.js';
import { presetRoutes } from './routes/presets.js';
import type { CameraView } from '../queue/views.js';
import { maskRoutes } from './routes/masks.js';

export interface ApiDeps {
  db: Db;
  config: WeisuConfig;
  /** Streams' health of a camera (undefined: not sampled yet). */
  health?: (cameraId: string) => Promise<CameraHealth | undefined>;
  /** Latest full-resolution JPEG of a camera. */
  snapshot?: (cameraId: string) => Promise<Buffer | undefined>;
  /** Whether a camera shows its reference view (queue/views.ts), and the first picture of a change. */
  view?: (cameraId: string) => Promise<CameraView | undefined>;
  viewPicture?: (cameraId: string) => Promise<Buffer | undefined>;
  /** Signed URL of an evidence image by its sha256 (alerts' EvidenceStore.url). */
  evidenceUrl?: (sha256: string) => string;
  /** Called after any camera or zone change, so the scheduler picks it up. */
  onCamerasChanged?: () => void;
  /** More Prometheus text (queues, workers) appended to /metrics. */
  metrics?: () => Promise<string>;
  /** Registered at the root, outside /api/v1 and its role checks (e.g. alerts' signed evidence URLs). */
  plugins?: FastifyPluginAsync[];
  /** ONNX models (bin classifiers for calibration); default WEISU_MODELS_DIR or ../shared/models. */
  modelsDir?: string;
  /** The console's static build, served at /. */
  consoleDir?: string;
}

export { API_PREFIX };

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const server = deps.config.server;
  await bootstrapAdmin(deps.db, deps.config);
  const app = Fastify({
    loggerInstance: log.child({ component: 'api' }) as FastifyBaseLogger,
    // Request lines are left out (the metrics count them); errors are logged, redacted, by api/problem.ts.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: server.trust_proxy,
    bodyLimit: 1024 * 1024,
    // Repeated query keys and prototype keys are refused rather than guessed at.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  // JSON only: a text body would otherwise reach the schemas as a string.
  app.removeContentTypeParser('text/plain');

  const httpMetrics = new HttpMetrics();
  httpMetrics.hook(app);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // The live view is MPEG-1 over WebSocket decoded by JSMpeg; snapshots may be blobs.
        connectSrc: ["'self'", 'ws:', 'wss:'],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        // Video centres often serve weisu over plain HTTP on their LAN: upgrading requests would break it.
        upgradeInsecureRequests: null,
      },
    },
    // The console and docs are same-origin; evidence JPEGs are fetched by other systems, so allow cross-origin reads of resources.
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  // Who is calling, then whether they still have budget: before anything else is done for a request.
  identifyCallers(app, deps.db);
  await limitCallers(app, server);
  if (server.cors_origins.length) {
    await app.register(cors, { origin: server.cors_origins, credentials: false, methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] });
  }
  requireOperationIds(app);
  const methods = new AllowedMethods();
  methods.watch(app);
  await app.register(
    swagger,
    swaggerOptions({
      title: 'weisu API',
      version: '1',
      description:
        'Cameras, zones, incidents, tickets and users of a weisu installation. Every error is one RFC 9457 problem document (schema Problem) naming each field at fault, its limit and fix. ' +
        'Lists use cursor pagination (?cursor=&limit= → { items, next_cursor }). Authenticate with "Authorization: Bearer <token>" (POST /api/v1/auth/login, or an API token).',
    }),
  );
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: false });
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
  // The console links the docs next to the API it calls.
  app.get(`${API_PREFIX}/docs`, { schema: { hide: true } }, async (_req, reply) => reply.redirect('/docs'));

  // Live view relays start only when someone watches; max_relays 0 turns live view off.
  const live = deps.config.streams.live.max_relays > 0 ? new LiveView(deps.db, deps.config) : undefined;
  live?.mount(app);

  await app.register(async (root) => {
    enforceRoles(root);
    await systemRoutes(root, { ...deps, httpMetrics });
  });

  await app.register(
    async (api) => {
      enforceRoles(api);
      enforceBodyLimits(api);
      // PATCH bodies may say what they are (RFC 7396); they are JSON all the same.
      api.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, api.getDefaultJsonParser('error', 'error'));
      await authRoutes(api, deps);
      await cameraRoutes(api, deps, live);
      await probeRoutes(api, deps);
      await zoneRoutes(api, deps);
      await referenceViewRoutes(api, deps);
      await presetRoutes(api, deps);
      await maskRoutes(api, deps);
      await calibrationRoutes(api, deps);
      await incidentRoutes(api, deps);
      await ticketRoutes(api, deps);
      await plateRoutes(api, deps);
      await auditRoutes(api, deps);
      await statsRoutes(api, deps);
      await userRoutes(api, deps);
      await setupRoutes(api, deps);
    },
    { prefix: API_PREFIX },
  );

  for (const plugin of deps.plugins ?? []) await app.register(plugin);

  const consoleDir = deps.consoleDir && resolve(deps.consoleDir);
  if (consoleDir && existsSync(consoleDir)) {
    await app.register(fastifyStatic, { root: consoleDir, prefix: '/', wildcard: false, index: 'index.html' });
  }
  app.setNotFoundHandler(async (req, reply) => {
    // The console is a single-page app: its own paths (/cameras/x) load index.html.
    const html = req.method === 'GET' && !req.url.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');
    if (consoleDir && existsSync(consoleDir) && html) return reply.sendFile('index.html');
    const path = req.url.split('?')[0]!;
    const allow = methods.allowed(path);
    if (allow) {
      reply.header('allow', allow.join(', '));
      return sendProblem(reply, problem('method_not_allowed', `${path} does not take ${req.method}: it takes ${allow.join(', ')}`));
    }
    return sendProblem(reply, problem('route_not_found', `no route ${req.method} ${path}`));
  });
  return app;
}
