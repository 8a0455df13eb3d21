import type { FastifyPluginAsync } from 'fastify';
import type { EvidenceStore } from './evidence_store.js';

/**
 * Serves evidence images at `GET /evidence/{sha256}.jpg?exp=…&sig=…` — the signed, expiring URLs the
 * evidence store hands out. Without a valid signature the answer is 403 whether or not the file exists,
 * so URLs cannot be guessed or probed. Register it at the root of the server behind `public_url`.
 */
export const evidencePlugin: FastifyPluginAsync<{ store: Pick<EvidenceStore, 'refuse' | 'get'> }> = async (app, { store }) => {
  app.get<{ Params: { file: string }; Querystring: { exp: number; sig: string } }>(
    '/evidence/:file',
    {
      schema: {
        summary: 'An evidence image (signed, expiring URL)',
        tags: ['evidence'],
        params: { type: 'object', properties: { file: { type: 'string', pattern: '^[0-9a-f]{64}\\.jpg$' } }, required: ['file'] },
        querystring: {
          type: 'object',
          properties: { exp: { type: 'integer', minimum: 0 }, sig: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
          required: ['exp', 'sig'],
          additionalProperties: false,
        },
        response: {
          200: { description: 'the JPEG', type: 'string', contentMediaType: 'image/jpeg' },
          '4xx': { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
    async (req, reply) => {
      const sha = req.params.file.slice(0, 64);
      const refused = store.refuse(sha, req.query.exp, req.query.sig);
      if (refused === 'bad_signature') return reply.code(403).send({ error: 'forbidden', message: 'this evidence link is not valid' });
      if (refused === 'expired') return reply.code(410).send({ error: 'gone', message: 'this evidence link has expired: ask for a new one' });
      const jpeg = await store.get(sha);
      if (!jpeg) return reply.code(404).send({ error: 'not_found', message: 'this evidence image is no longer stored' });
      const maxAge = Math.max(0, req.query.exp - Math.floor(Date.now() / 1000));
      return reply
        .header('content-type', 'image/jpeg')
        .header('cache-control', `private, max-age=${maxAge}, immutable`)
        .header('x-content-type-options', 'nosniff')
        .send(jpeg);
    },
  );
};
