import { z } from 'zod';
import type { FastifyReply } from 'fastify';

/**
 * Optimistic concurrency on cameras: GET answers `ETag: "<revision>"`; a write may send it back as
 * `If-Match` and is refused with 412 when the camera changed meanwhile (two operators editing one
 * camera's zones do not silently overwrite each other). Without If-Match the write just applies.
 */
export const ifMatchHeaders = z.object({
  'if-match': z
    .string()
    .regex(/^(W\/)?"?\d{1,9}"?$/, 'If-Match must be the ETag of the camera, e.g. "3"')
    .optional()
    .describe('ETag from GET /cameras/{id}; refused with 412 if the camera changed since'),
});

export function expectedRevision(headers: { 'if-match'?: string }): number | undefined {
  const v = headers['if-match'];
  return v === undefined ? undefined : Number(v.replace(/\D/g, ''));
}

export function sendEtag(reply: FastifyReply, revision: number): void {
  reply.header('etag', `"${revision}"`);
}
