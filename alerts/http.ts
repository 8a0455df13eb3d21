import type { FastifyPluginAsync } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EvidenceStore } from './evidence_store.js';

const problem = z.object({ error: z.string(), message: z.string() });

/**
 * Serves evidence images at `GET /evidence/{sha256}.jpg?exp=…&sig=…` — the signed, expiring URLs the
 * evidence store hands out. Without a valid signature the answer is 403 whether or not the file exists,
 * so URLs cannot be guessed or probed. Register it at the root of the server behind `public_url`.
 * Its schemas are zod, like every route of weisu's API; it sets the zod compilers in its own scope so it
 * also works in a server that has not.
 */
export const evidencePlugin: FastifyPluginAsync<{ store: Pick<EvidenceStore, 'refuse' | 'get'> }> = async (plain, { store }) => {
  plain.setValidatorCompiler(validatorCompiler);
  plain.setSerializerCompiler(serializerCompiler);
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/evidence/:file',
    {
      // The signature is the credential: case systems and crews fetch these without a weisu account.
      config: { public: true },
      schema: {
        operationId: 'getEvidence',
        summary: 'An evidence image (signed, expiring URL)',
        tags: ['evidence'],
        params: z.object({ file: z.string().regex(/^[0-9a-f]{64}\.jpg$/, 'file must be <sha256>.jpg') }),
        querystring: z.strictObject({ exp: z.coerce.number().int().min(0), sig: z.string().regex(/^[0-9a-f]{64}$/) }),
        response: { 200: z.any().describe('the JPEG image (image/jpeg)'), 403: problem, 404: problem, 410: problem },
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
