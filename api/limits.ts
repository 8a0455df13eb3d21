import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem, problem } from './problem.js';

/**
 * Size limits on the parsed JSON body, checked before the zod schemas run. Schemas say what a valid
 * value is; these stop a body that is valid JSON but built to be expensive (a 500 000-point polygon
 * whose self-intersection check is quadratic, a megabyte camera name) from costing anything.
 * Routes that take big documents (bulk import) raise them in `config.bodyLimits`.
 */
export const DEFAULT_LIMITS = { maxArray: 1000, maxString: 4096, maxDepth: 32 };

function field(path: (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

export type Limits = { maxArray: number; maxString: number; maxDepth: number };

/** The first place where `value` exceeds the limits, if any. */
export function limitProblem(value: unknown, limits: Limits = DEFAULT_LIMITS): { field: string; message: string } | undefined {
  const walk = (node: unknown, path: (string | number)[]): { field: string; message: string } | undefined => {
    const at = (message: string) => ({ field: field(path), message });
    if (path.length > limits.maxDepth) return at(`nested more than ${limits.maxDepth} levels deep`);
    if (typeof node === 'string') return node.length > limits.maxString ? at(`text of ${node.length} characters is longer than the ${limits.maxString} allowed`) : undefined;
    if (Array.isArray(node)) {
      if (node.length > limits.maxArray) return at(`list of ${node.length} items is longer than the ${limits.maxArray} allowed`);
      for (const [i, v] of node.entries()) {
        const p = walk(v, [...path, i]);
        if (p) return p;
      }
    } else if (node && typeof node === 'object') {
      const entries = Object.entries(node);
      if (entries.length > limits.maxArray) return at(`object with ${entries.length} keys has more than the ${limits.maxArray} allowed`);
      for (const [k, v] of entries) {
        if (k.length > 200) return at('a key is longer than 200 characters');
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
    if (p) {
      throw new HttpProblem(problem(400, 'validation_failed', `body is invalid: ${p.field || '(root)'}: ${p.message}`, { field: p.field, errors: [{ ...p, in: 'body' }] }));
    }
    req.bodyInput = structuredClone(req.body);
  });
}

/** The validated body as the client wrote it. */
export function bodyInput<T>(req: FastifyRequest): T {
  return req.bodyInput as T;
}
