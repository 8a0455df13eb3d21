import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../store/db.js';
import { resolveToken, type Principal, type Role } from '../store/users.js';
import { apiError } from './problem.js';

/**
 * Who may call what. Every API route declares `config.roles` (or `config.public`); a route that
 * declares neither is refused to everyone, so forgetting to declare fails closed.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: readonly Role[];
    public?: boolean;
    /** Per-route limits on the parsed JSON body, checked before validation (see api/limits.ts). */
    bodyLimits?: { maxArray?: number; maxString?: number };
  }
  interface FastifyRequest {
    /** Who sent the request, set only once its bearer token was verified (identifyCallers). */
    principal?: Principal;
    /** The JSON body as sent, before validation turned it into its parsed form (api/limits.ts). */
    bodyInput?: unknown;
  }
}

/** Role sets, named by what they allow. */
export const ANYONE: readonly Role[] = ['admin', 'operator', 'integrator', 'viewer'];
export const CAMERA_WRITERS: readonly Role[] = ['admin', 'integrator'];
/** Zones are drawn by operators and provisioned with cameras by integrators. */
export const ZONE_WRITERS: readonly Role[] = ['admin', 'operator', 'integrator'];
/** Incidents, tickets and statistics: everyone but integrators (cameras only). */
export const OPS_READERS: readonly Role[] = ['admin', 'operator', 'viewer'];
export const REVIEWERS: readonly Role[] = ['admin', 'operator'];
export const ADMINS: readonly Role[] = ['admin'];

export function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = h && /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}

/**
 * Verifies the bearer token of every request, first thing (root `onRequest`), so that everything after
 * it — the rate limits of api/callers.ts above all — knows the caller: `req.principal` is set only for a
 * valid, unexpired, unrevoked token whose user is enabled. Nothing is refused here: a missing or bad
 * token is refused by `enforceRoles`, after the caller's address was charged for the request.
 */
export function identifyCallers(app: FastifyInstance, db: Db): void {
  app.addHook('onRequest', async (req) => {
    const token = bearer(req);
    if (token) req.principal = await resolveToken(db, token);
  });
}

/** Registers the role check on every route of the scope it is called in (after `identifyCallers`). */
export function enforceRoles(app: FastifyInstance, opts: { publicPaths?: (req: FastifyRequest) => boolean } = {}): void {
  app.addHook('onRequest', async (req, reply) => {
    const cfg = req.routeOptions.config;
    if (cfg.public || opts.publicPaths?.(req)) return;
    const principal = req.principal;
    if (!principal) {
      const token = bearer(req);
      reply.header('www-authenticate', 'Bearer realm="weisu"');
      throw apiError('unauthorized', token ? 'the bearer token is invalid, expired or revoked' : 'this route needs a bearer token', { field: 'authorization' });
    }
    if (!cfg.roles?.includes(principal.role)) {
      throw apiError('forbidden', `role "${principal.role}" may not ${req.method} ${req.routeOptions.url ?? req.url}`, {
        fix: cfg.roles?.length ? `this needs one of the roles: ${cfg.roles.join(', ')}` : 'this route is not available to any role',
      });
    }
  });
}

export function actor(req: FastifyRequest): string {
  return req.principal ? `user:${req.principal.username}` : 'anonymous';
}
