import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authenticate, issueToken, pruneExpiredTokens, revokeToken, ROLES } from '../../store/users.js';
import { ANYONE } from '../auth.js';
import { HttpProblem, problem } from '../problem.js';
import type { ApiDeps } from '../server.js';

const loginBody = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) });

export const meSchema = z.object({ username: z.string(), role: z.enum(ROLES), token_id: z.string(), token_kind: z.enum(['session', 'api']) });

export async function authRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['auth'];
  const limit = deps.config.server.auth.login_rate_limit;

  r.post('/auth/login', {
    config: { public: true, rateLimit: { max: limit.max, timeWindow: limit.window } },
    schema: {
      tags,
      summary: 'Log in: a session token for the console',
      description: `Rate-limited to ${limit.max} attempts per client address per window. Send the token as "Authorization: Bearer <token>".`,
      security: [],
      body: loginBody,
      response: { 200: z.object({ token: z.string(), role: z.enum(ROLES), username: z.string(), expires_at: z.string() }) },
    },
    handler: async (req) => {
      const user = await authenticate(db, req.body.username, req.body.password);
      if (!user) {
        throw new HttpProblem(problem(401, 'login_failed', 'wrong username or password, or the account is disabled', { field: 'password' }));
      }
      await pruneExpiredTokens(db);
      const { token, info } = await issueToken(db, { username: user.username, kind: 'session', name: 'console login', ttlMs: deps.config.server.auth.session_ttl }, `user:${user.username}`);
      return { token, role: user.role, username: user.username, expires_at: info.expiresAt! };
    },
  });

  r.post('/auth/logout', {
    config: { roles: ANYONE },
    schema: { tags, summary: 'End this session (revokes the token used)', response: { 204: z.null() } },
    handler: async (req, reply) => {
      await revokeToken(db, req.principal!.tokenId, `user:${req.principal!.username}`);
      return reply.code(204).send(null);
    },
  });

  r.get('/auth/me', {
    config: { roles: ANYONE },
    schema: { tags, summary: 'Who this token belongs to', response: { 200: meSchema } },
    handler: async (req) => {
      const p = req.principal!;
      return { username: p.username, role: p.role, token_id: p.tokenId, token_kind: p.tokenKind };
    },
  });
}
