import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { errorKind, type ApiErrorCode } from './errors.js';

/**
 * The OpenAPI document is generated from the routes' zod schemas; this adds what a generated client
 * needs besides: every operation has an operationId and tags (checked when a route is added, so a
 * route without them does not start), every response a description, and every error it can answer
 * with a response of the one named Problem schema. Views are named components (`.meta({ id })`).
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** Codes this route answers with beyond those every route of its kind has (see `errorsOf`). */
    errors?: readonly ApiErrorCode[];
  }
}

/** Refuses, when it is added, a documented route without operationId or tags. */
export function requireOperationIds(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { hide?: boolean; operationId?: string; tags?: string[] } | undefined;
    if (!schema || schema.hide || route.method === 'HEAD') return;
    if (!schema.operationId || !schema.tags?.length) throw new Error(`route ${String(route.method)} ${route.url} needs schema.operationId and schema.tags`);
  });
}

/** The codes a route can answer with: from what it validates, whether it is public, and its own `config.errors`. */
export function errorsOf(route: Pick<RouteOptions, 'schema' | 'config' | 'url'>): ApiErrorCode[] {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const config = (route.config ?? {}) as { public?: boolean; errors?: readonly ApiErrorCode[] };
  const codes = new Set<ApiErrorCode>();
  if (schema.body || schema.querystring || schema.params || schema.headers) codes.add('validation_failed');
  if (schema.body) codes.add('body_too_large').add('unsupported_media_type');
  if (!config.public) codes.add('unauthorized').add('forbidden');
  if (route.url.includes(':')) codes.add('not_found');
  if (schema.headers && JSON.stringify(Object.keys((schema.headers as { shape?: object }).shape ?? {})).includes('if-match')) codes.add('stale');
  for (const c of config.errors ?? []) codes.add(c);
  codes.add('rate_limited').add('internal');
  return [...codes];
}

const SUCCESS: Record<string, string> = { '200': 'OK', '201': 'Created', '204': 'No content' };

type Responses = Record<string, { description?: string; content?: unknown } & Record<string, unknown>>;

export function swaggerOptions(info: { title: string; version: string; description: string }): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: (doc) => {
      const out = jsonSchemaTransform(doc);
      const schema = out.schema as Record<string, unknown> & { hide?: boolean; response?: Responses };
      if (schema.hide) return out;
      const responses: Responses = {};
      for (const [status, r] of Object.entries(schema.response ?? {})) responses[status] = { ...r, description: r.description ?? SUCCESS[status] ?? 'OK' };
      const byStatus = new Map<number, ApiErrorCode[]>();
      for (const code of errorsOf(doc.route)) {
        const s = errorKind(code).status;
        byStatus.set(s, [...(byStatus.get(s) ?? []), code]);
      }
      for (const [status, codes] of byStatus) {
        responses[String(status)] = {
          description: codes.map((c) => `${c}: ${errorKind(c).title}`).join('; '),
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        };
      }
      return { ...out, schema: { ...schema, response: responses } };
    },
    transformObject: jsonSchemaTransformObject,
  };
}
