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

export function checkBody(body: unknown, limits: { maxArray: number; maxString: number; maxDepth: number }): void {
  const walk = (node: unknown, path: (string | number)[]): void => {
    const fail = (message: string) => {
      throw new HttpProblem(problem(400, 'validation_failed', `body is invalid: ${field(path) || '(root)'}: ${message}`, { field: field(path), errors: [{ field: field(path), in: 'body', message }] }));
    };
    if (path.length > limits.maxDepth) fail(`nested more than ${limits.maxDepth} levels deep`);
    if (typeof node === 'string') {
      if (node.length > limits.maxString) fail(`text of ${node.length} characters is longer than the ${limits.maxString} allowed`);
    } else if (Array.isArray(node)) {
      if (node.length > limits.maxArray) fail(`list of ${node.length} items is longer than the ${limits.maxArray} allowed`);
      node.forEach((v, i) => walk(v, [...path, i]));
    } else if (node && typeof node === 'object') {
      const entries = Object.entries(node);
      if (entries.length > limits.maxArray) fail(`object with ${entries.length} keys has more than the ${limits.maxArray} allowed`);
      for (const [k, v] of entries) {
        if (k.length > 200) fail('a key is longer than 200 characters');
        walk(v, [...path, k]);
      }
    }
  };
  walk(body, []);
}

/**
 * Checks the limits, then keeps the body as sent in `req.bodyInput`: validation replaces `req.body` by
 * the parsed form (durations in ms, schedules as objects), while the store keeps cameras and zones as
 * written so they can be shown back and edited.
 */
export function enforceBodyLimits(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined) return;
    checkBody(req.body, { ...DEFAULT_LIMITS, ...req.routeOptions.config.bodyLimits });
    req.bodyInput = structuredClone(req.body);
  });
}

/** The validated body as the client wrote it. */
export function bodyInput<T>(req: FastifyRequest): T {
  return req.bodyInput as T;
}
