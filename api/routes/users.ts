import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { durationField } from '../../core/duration.js';
import { createUser, deleteUser, getUser, issueToken, listTokens, listUsers, MIN_PASSWORD, revokeToken, ROLES, updateUser, USERNAME, type TokenInfo, type User } from '../../store/users.js';
import { notFound } from '../../store/cameras.js';
import { actor, ADMINS } from '../auth.js';
import type { ApiDeps } from '../server.js';

const username = z.string().regex(USERNAME, 'username uses 1-64 characters: a-z, 0-9, . _ - (starting with a letter or digit)');
const password = z.string().min(MIN_PASSWORD, `password needs at least ${MIN_PASSWORD} characters`).max(1024);
const userParams = z.object({ username });

const userView = z.strictObject({ username: z.string(), role: z.enum(ROLES), disabled: z.boolean(), created_at: z.iso.datetime() }).meta({ id: 'User' });
const userList = z.strictObject({ items: z.array(userView) }).meta({ id: 'UserList' });
const tokenView = z.strictObject({
  id: z.string(),
  username: z.string(),
  kind: z.enum(['session', 'api']),
  name: z.string(),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime().nullable(),
  last_used_at: z.iso.datetime().nullable(),
}).meta({ id: 'Token' });
const tokenList = z.strictObject({ items: z.array(tokenView) }).meta({ id: 'TokenList' });
const newToken = tokenView.extend({ token: z.string().describe('the secret: store it now, it is not shown again') }).meta({ id: 'NewToken' });

const iso = (t: string | Date | null) => (t === null ? null : new Date(t).toISOString());

const toUserView = (u: User) => ({ username: u.username, role: u.role, disabled: u.disabled, created_at: iso(u.createdAt)! });
const toTokenView = (t: TokenInfo) => ({ id: t.id, username: t.username, kind: t.kind, name: t.name, created_at: iso(t.createdAt)!, expires_at: iso(t.expiresAt), last_used_at: iso(t.lastUsedAt) });

/** Users and API tokens: admins only. Password hashes and token secrets are never returned (a new token's secret once, at creation). */
export async function userRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['users'];
  const config = { roles: ADMINS };

  r.get('/users', {
    config,
    schema: { tags, operationId: 'listUsers', summary: 'List users', response: { 200: userList } },
    handler: async () => ({ items: (await listUsers(db)).map(toUserView) }),
  });

  r.post('/users', {
    config,
    schema: { tags, operationId: 'createUser', summary: 'Create a user', body: z.strictObject({ username, password, role: z.enum(ROLES) }), response: { 201: userView } },
    handler: async (req, reply) => reply.code(201).send(toUserView(await createUser(db, req.body, actor(req)))),
  });

  r.patch('/users/:username', {
    config,
    schema: {
      tags,
      operationId: 'updateUser', summary: 'Change role, password or disabled (a new password or disabling ends the user\'s sessions)',
      params: userParams,
      body: z.strictObject({ role: z.enum(ROLES).optional(), password: password.optional(), disabled: z.boolean().optional() }),
      response: { 200: userView },
    },
    handler: async (req) => toUserView(await updateUser(db, req.params.username, req.body, actor(req))),
  });

  r.delete('/users/:username', {
    config,
    schema: { tags, operationId: 'deleteUser', summary: 'Delete a user and their tokens', params: userParams, response: { 204: z.null() } },
    handler: async (req, reply) => {
      await deleteUser(db, req.params.username, actor(req));
      return reply.code(204).send(null);
    },
  });

  r.get('/users/:username/tokens', {
    config,
    schema: { tags, operationId: 'listTokens', summary: 'A user\'s tokens (no secrets)', params: userParams, response: { 200: tokenList } },
    handler: async (req) => {
      if (!(await getUser(db, req.params.username))) throw notFound('user', req.params.username, 'username');
      return { items: (await listTokens(db, { username: req.params.username })).map(toTokenView) };
    },
  });

  r.post('/users/:username/tokens', {
    config,
    schema: {
      tags,
      operationId: 'createToken', summary: 'Create an API token (the secret is shown once)',
      params: userParams,
      body: z.strictObject({ name: z.string().min(1).max(100), expires_in: durationField('expires_in').optional().describe('e.g. 90d; omit for no expiry') }),
      response: { 201: newToken },
    },
    handler: async (req, reply) => {
      const { token, info } = await issueToken(db, { username: req.params.username, kind: 'api', name: req.body.name, ttlMs: req.body.expires_in }, actor(req));
      return reply.code(201).send({ ...toTokenView(info), token });
    },
  });

  r.delete('/tokens/:tokenId', {
    config,
    schema: { tags, operationId: 'revokeToken', summary: 'Revoke a token', params: z.object({ tokenId: z.string().regex(/^[0-9a-f]{16}$/, 'token id is 16 hex digits') }), response: { 204: z.null() } },
    handler: async (req, reply) => {
      await revokeToken(db, req.params.tokenId, actor(req));
      return reply.code(204).send(null);
    },
  });
}
