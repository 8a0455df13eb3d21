import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import { apiError } from './problem.js';

/**
 * Optimistic concurrency on cameras (RFC 9110): GET answers `ETag: "<revision>"`; a write may send
 * `If-Match` with that tag, a list of tags, or `*`, and is refused with 412 when none matches the
 * camera as it is now (two operators editing one camera's zones do not silently overwrite each other).
 * If-Match compares strongly, so a weak tag (`W/"3"`) never matches. Without If-Match the write applies.
 */
const ENTITY_TAG = /^(W\/)?"[\x21\x23-\x7e]*"$/;

export const ifMatchHeaders = z.object({
  'if-match': z
    .string()
    .refine((v) => v.trim() === '*' || v.split(',').every((t) => ENTITY_TAG.test(t.trim())), 'must be "*" or ETags from GET /cameras/{id}, e.g. "3" (quotes included)')
    .optional()
    .describe('ETag(s) from GET /cameras/{id}, or *; refused with 412 if the camera changed since'),
});

/**
 * The revision a write must still find, given If-Match and the revision just read: undefined without
 * If-Match, else `current` when a tag matches it (the store then refuses the write if it moved on
 * meanwhile), else 412.
 */
export function matchedRevision(headers: { 'if-match'?: string }, what: string, current: number): number | undefined {
  const header = headers['if-match'];
  if (header === undefined) return undefined;
  if (header.trim() === '*') return current;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes(`"${current}"`)) return current;
  throw apiError('stale', `${what} is at revision ${current} (ETag "${current}"), not ${header}: someone changed it meanwhile`, { field: 'if-match' });
}

export function sendEtag(reply: FastifyReply, revision: number): void {
  reply.header('etag', `"${revision}"`);
}
