import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ConfigError, WeisuError } from '../core/errors.js';
import { log } from '../core/log.js';
import { redactText } from '../streams/redact.js';

/**
 * Every error the API returns is an RFC 9457 problem document (application/problem+json) that names
 * the field at fault and how to fix it, so a client can show it next to the input that caused it.
 */
export interface FieldIssue {
  /** Dotted path inside `in`, e.g. `location.lat` or `zones[0].polygon[2]`. */
  field: string;
  in?: 'body' | 'querystring' | 'params' | 'headers';
  message: string;
  /** Row and line in an imported file, for bulk imports. */
  row?: number;
  line?: number;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  field?: string;
  fix?: string;
  errors?: FieldIssue[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `urn:weisu:problem:${code}`, title: TITLES[status] ?? 'Error', status, detail, ...extra };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply
    .code(p.status)
    .type('application/problem+json')
    .send({ ...p, instance: p.instance ?? redactText(reply.request.url) });
}

/** An error a route throws on purpose with its HTTP status. */
export class HttpProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

/** `/location/lat` → `location.lat`, `/zones/0/polygon` → `zones[0].polygon`. */
function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

const WEISU_STATUS: Record<string, number> = {
  not_found: 404,
  conflict: 409,
  managed_by_config: 409,
  stale: 412,
  forbidden: 403,
  missing_dependency: 503,
  busy: 503,
};

/** A camera that could not be read (streams' `stream_<reason>`) is 422; a URL refused by policy or unreadable as a URL, 400. */
function statusOf(code: string): number {
  if (code.startsWith('stream_')) return code === 'stream_blocked' || code === 'stream_bad_url' ? 400 : 422;
  return WEISU_STATUS[code] ?? 400;
}

/** Fastify's own request errors (body parsing, size, media type): they concern the body as a whole. */
const FASTIFY_CODES: Record<string, { code: string; fix: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'body_too_large', fix: 'send less at once (bulk imports take up to 50 MB; split bigger files)' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', fix: 'send JSON with "Content-Type: application/json"' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'empty_body', fix: 'send a JSON body, or no Content-Type header when there is none' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', fix: 'send well-formed JSON without __proto__ or constructor.prototype keys' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'invalid_content_length', fix: 'send a Content-Length that matches the body' },
};

export function toProblem(err: unknown): Problem {
  if (err instanceof HttpProblem) return err.problem;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = ((err as FastifyError).validationContext ?? 'body') as FieldIssue['in'];
    const errors: FieldIssue[] = err.validation.flatMap((v) => {
      const base = pointerToField(v.instancePath);
      const keys = v.keyword === 'unrecognized_keys' ? ((v.params as { keys?: string[] }).keys ?? []) : [];
      if (keys.length) return keys.map((k) => ({ field: base ? `${base}.${k}` : k, in: where, message: `unknown key "${k}": remove it or check its spelling` }));
      return [{ field: base, in: where, message: v.message ?? 'invalid value' }];
    });
    const first = errors[0];
    return problem(400, 'validation_failed', `${where} is invalid: ${first?.field || '(root)'}: ${first?.message}`, { field: first?.field, errors });
  }
  if (err instanceof ConfigError) {
    return problem(400, 'validation_failed', err.message, { field: err.field, fix: err.fix, errors: err.issues.map((i) => ({ field: i.field, in: 'body', message: i.message })) });
  }
  if (err instanceof WeisuError) {
    return problem(statusOf(err.code), err.code, redactText(err.message), { field: err.field, fix: err.fix });
  }
  const fe = err as Partial<FastifyError> & { statusCode?: number };
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const known = FASTIFY_CODES[fe.code ?? ''];
    if (known) return problem(fe.statusCode, known.code, redactText(fe.message ?? 'bad request'), { field: '', fix: known.fix, errors: [{ field: '', in: 'body', message: redactText(fe.message ?? 'bad request') }] });
    return problem(fe.statusCode, (fe.code ?? 'bad_request').toLowerCase(), redactText(fe.message ?? 'bad request'));
  }
  log.error({ err: redactText(String((err as Error)?.stack ?? err)) }, 'API request failed');
  return problem(500, 'internal', 'the server failed to handle this request; the error is in its log');
}

export function errorHandler(err: unknown, _req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, toProblem(err));
}
