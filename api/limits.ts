import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fieldPath, type FieldIssue } from '../core/zod_messages.js';
import { HttpProblem, validationProblem } from './problem.js';

/**
 * Size limits on the parsed JSON body, checked before the zod schemas run. Schemas say what a valid
 * value is; these stop a body that is valid JSON but built to be expensive (a 500 000-point polygon
 * whose self-intersection check is quadratic, a megabyte camera name) from costing anything.
 * Routes that take big documents (bulk import) raise them in `config.bodyLimits`.
 */
export const DEFAULT_LIMITS = { maxArray: 1000, maxString: 4096, maxDepth: 32 };

export type Limits = { maxArray: number; maxString: number; maxDepth: number };

/** The first place where `value` exceeds the limits, if any. */
export function limitProblem(value: unknown, limits: Limits = DEFAULT_LIMITS): FieldIssue | undefined {
  const walk = (node: unknown, path: (string | number)[]): FieldIssue | undefined => {
    const at = (message: string, limit: number, fix: string): FieldIssue => ({ field: fieldPath(path), path, code: 'too_big', message, limit, fix });
    if (path.length > limits.maxDepth) return at(`is nested more than ${limits.maxDepth} levels deep`, limits.maxDepth, 'flatten the document');
    if (typeof node === 'string') return node.length > limits.maxString ? at(`has ${node.length} characters, more than the ${limits.maxString} allowed`, limits.maxString, `shorten it to ${limits.maxString} characters`) : undefined;
    if (Array.isArray(node)) {
      if (node.length > limits.maxArray) return at(`has ${node.length} items, more than the ${limits.maxArray} allowed`, limits.maxArray, `send at most ${limits.maxArray} items`);
      for (const [i, v] of node.entries()) {
        const p = walk(v, [...path, i]);
        if (p) return p;
      }
    } else if (node && typeof node === 'object') {
      const entries = Object.entries(node);
      if (entries.length > limits.maxArray) return at(`has ${entries.length} keys, more than the ${limits.maxArray} allowed`, limits.maxArray, `send at most ${limits.maxArray} keys`);
      for (const [k, v] of entries) {
        if (k.length > 200) return at('has a key longer than 200 characters', 200, 'use shorter keys');
        const p = walk(v, [...path, k]);
        if (p) return p;
      }
    }
    return undefined;
  };
  return walk(value, []);
}

/**
 * Checks the limits, then keeps the body as sent in `req.bodyInput`: validation replaces `req.body` by
 * the parsed form (durations in ms, schedules as objects), while the store keeps cameras and zones as
 * written so they can be shown back and edited.
 */
export function enforceBodyLimits(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined) return;
    const p = limitProblem(req.body, { ...DEFAULT_LIMITS, ...req.routeOptions.config.bodyLimits });
    if (p) throw new HttpProblem(validationProblem('body', [p]));
    req.bodyInput = structuredClone(req.body);
  });
}

/** The validated body as the client wrote it. */
export function bodyInput<T>(req: FastifyRequest): T {
  return req.bodyInput as T;
}
