import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { exportAudit } from '../../alerts/oversight.js';
import { ADMINS } from '../auth.js';
import type { ApiDeps } from '../server.js';

/** The audit trail for archives and oversight bodies: the same JSON lines as `weisu audit export`. */
export async function auditRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/audit/export', {
    config: { roles: ADMINS },
    schema: {
      tags: ['audit'],
      operationId: 'exportAudit', summary: 'The audit trail as JSON lines, oldest first',
      description:
        'One JSON object per line: {id, at, actor, entity, entityId, action, reason, data} — every state change of incidents, tickets, cameras and users. ' +
        'Streamed, so a whole year can be fetched in one request; an archive that fetched before passes the last `at` it has as ?since= (and drops ids it has seen).',
      querystring: z.strictObject({
        since: z.iso
          .datetime({ offset: true, error: 'since must be a time in ISO 8601 with a zone, e.g. 2026-05-01T00:00:00+08:00' })
          .optional()
          .describe('only entries written at or after this time'),
        entity: z.string().regex(/^[a-z_]{1,40}$/, 'entity is a kind of thing in lower case, e.g. incident, ticket, camera, user').optional().describe('only entries about this kind of thing (incident, ticket, camera, zone, user, token, …)'),
        entity_id: z.string().min(1).max(200).optional().describe('only entries about this one (e.g. an incident id)'),
      }),
      produces: ['application/x-ndjson'],
      response: { 200: z.any().describe('application/x-ndjson: one audit entry per line') },
    },
    handler: async (req, reply) => {
      const q = req.query;
      const lines = exportAudit(deps.db, { since: q.since ? new Date(q.since) : undefined, entity: q.entity, entityId: q.entity_id });
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', 'attachment; filename="weisu-audit.jsonl"')
        .send(Readable.from(lines));
    },
  });
}
