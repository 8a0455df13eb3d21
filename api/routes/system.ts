import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OPS_READERS } from '../auth.js';
import type { HttpMetrics } from '../metrics.js';
import type { ApiDeps } from '../server.js';

/** Liveness and Prometheus metrics, at the root (where probes and scrapers look for them). */
export async function systemRoutes(app: FastifyInstance, deps: ApiDeps & { httpMetrics: HttpMetrics }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['system'];

  r.get('/health', {
    config: { public: true },
    schema: {
      tags,
      operationId: 'getHealth', summary: 'Liveness: the process answers and its store responds',
      security: [],
      response: { 200: z.strictObject({ status: z.literal('ok'), store: z.enum(['pglite', 'postgres']) }).meta({ id: 'Liveness' }) },
    },
    handler: async () => {
      await deps.db.query('SELECT 1');
      return { status: 'ok' as const, store: deps.db.kind };
    },
  });

  const publicMetrics = deps.config.server.auth.public_metrics;
  r.get('/metrics', {
    config: publicMetrics ? { public: true } : { roles: OPS_READERS },
    schema: {
      tags,
      operationId: 'getMetrics', summary: 'Prometheus metrics (text exposition format)',
      description: publicMetrics ? 'Open to anyone (server.auth.public_metrics).' : 'Needs a token: set `authorization: { credentials: <token> }` in the Prometheus scrape config.',
      produces: ['text/plain'],
      response: { 200: z.string() },
    },
    handler: async (_req, reply) => {
      const own = deps.httpMetrics.render();
      const rest = (await deps.metrics?.()) ?? '';
      return reply.type('text/plain; version=0.0.4; charset=utf-8').serializer((s: string) => s).send(own + rest);
    },
  });
}
