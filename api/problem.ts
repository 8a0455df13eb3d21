import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConfigError, WeisuError } from '../core/errors.js';
import { log } from '../core/log.js';
import { fieldIssues, type FieldIssue } from '../core/zod_messages.js';
import { redactText } from '../streams/redact.js';
import { allErrorCodes, apiErrorCode, errorKind, type ApiErrorCode } from './errors.js';

/**
 * Every error the API returns is one RFC 9457 problem document (application/problem+json): its code
 * (api/errors.ts) with that code's status, title and fix, and every field at fault — validation,
 * imports, 404s, 405s, rate limits and auth alike — so a client shows each message beside its input.
 */
const WHERE = ['body', 'querystring', 'params', 'headers'] as const;
type Where = (typeof WHERE)[number];

export const problemIssueSchema = z
  .strictObject({
    field: z.string().describe('dotted path inside `in`, e.g. location.lat or zones[0].polygon[2]; empty for the whole'),
    in: z.enum(WHERE),
    code: z.enum(['required', 'wrong_type', 'too_big', 'too_small', 'not_allowed', 'unknown_key', 'bad_format', 'invalid']).describe('the kind of mistake, for clients that word it in their own language'),
    message: z.string().describe('what is wrong with the value, without the field name (shown beside it)'),
    limit: z.number().optional().describe('the limit the value broke (too_big, too_small)'),
    fix: z.string(),
    row: z.number().int().optional().describe('imports: 1-based row of the file or list'),
    line: z.number().int().optional().describe('imports: 1-based line in the file'),
  })
  .meta({ id: 'ProblemFieldIssue' });

export const problemSchema = z
  .strictObject({
    type: z.string().describe('urn:weisu:problem:<code>'),
    code: z.enum(allErrorCodes() as [ApiErrorCode, ...ApiErrorCode[]]).describe('one of a closed set; each code has one HTTP status'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    field: z.string().optional().describe('the first field at fault'),
    fix: z.string().describe('what to do about it'),
    errors: z.array(problemIssueSchema).describe('every field at fault, all at once (empty when no field is)'),
  })
  .meta({ id: 'Problem' });

export type ProblemIssue = z.infer<typeof problemIssueSchema>;
export type Problem = z.infer<typeof problemSchema>;

export function problem(code: ApiErrorCode, detail: string, extra: Partial<Pick<Problem, 'field' | 'fix' | 'errors'>> = {}): Problem {
  const kind = errorKind(code);
  return { type: `urn:weisu:problem:${code}`, code, title: kind.title, status: kind.status, detail, fix: extra.fix ?? kind.fix, errors: extra.errors ?? [], ...(extra.field === undefined ? {} : { field: extra.field }) };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply
    .code(p.status)
    .type('application/problem+json')
    .send({ ...p, instance: p.instance ?? redactText(reply.request.url.split('?')[0]!) });
}

/** An error a route throws on purpose. */
export class HttpProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

export function apiError(code: ApiErrorCode, detail: string, extra: Partial<Pick<Problem, 'field' | 'fix' | 'errors'>> = {}): HttpProblem {
  return new HttpProblem(problem(code, detail, extra));
}

/** An uploaded picture refused at its body field: one issue, `too_big` for an oversized picture, else `invalid`. */
export function pictureRefused(field: string, code: ApiErrorCode, message: string, fix: string): HttpProblem {
  return apiError(code, `${field}: ${message}`, { field, fix, errors: [{ field, in: 'body', code: code === 'image_too_large' ? 'too_big' : 'invalid', message, fix }] });
}

type IssueLike = Omit<FieldIssue, 'path'> & { row?: number; line?: number };

/** The problem of fields at fault: each said once, at its field, all at once; the detail lists them for a log or a terminal. */
export function validationProblem(where: Where, issues: IssueLike[], code: 'validation_failed' | 'import_failed' = 'validation_failed'): Problem {
  const errors = issues.map((i): ProblemIssue => ({
    field: i.field,
    in: where,
    code: i.code,
    message: i.message,
    ...(i.limit === undefined ? {} : { limit: i.limit }),
    fix: i.fix,
    ...(i.row === undefined ? {} : { row: i.row }),
    ...(i.line === undefined ? {} : { line: i.line }),
  }));
  const said = errors.slice(0, 5).map((e) => `${e.row === undefined ? '' : `row ${e.row}${e.line ? ` (line ${e.line})` : ''}: `}${e.field || where} ${e.message}`);
  const more = errors.length > 5 ? `; and ${errors.length - 5} more` : '';
  const what = code === 'import_failed' ? 'no camera was imported' : `${where} is invalid`;
  return problem(code, `${what}: ${said.join('; ')}${more}`, { field: errors[0]?.field, errors });
}

/** `/location/lat` → ['location', 'lat'], `/zones/0/polygon` → ['zones', 0, 'polygon']. */
function pointerPath(pointer: string): PropertyKey[] {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** Fastify's own request errors (body parsing, size, media type): they concern the body as a whole. */
const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
};

function internal(err: unknown): Problem {
  log.error({ err: redactText(String((err as Error)?.stack ?? err)) }, 'API request failed');
  return problem('internal', 'the server failed to handle this request; the error is in its log');
}

export function toProblem(err: unknown, req?: FastifyRequest): Problem {
  if (err instanceof HttpProblem) return err.problem;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = ((err as FastifyError).validationContext ?? 'body') as Where;
    const input = req && { body: req.body, querystring: req.query, params: req.params, headers: req.headers }[where];
    const issues = err.validation.map((v) => ({ ...(v.params as object), code: v.keyword, path: pointerPath(v.instancePath), message: v.message ?? 'is not valid' }) as unknown as z.core.$ZodIssue);
    return validationProblem(where, fieldIssues(issues, input));
  }
  if (err instanceof ConfigError) {
    return validationProblem(
      'body',
      err.issues.map((i) => ({ field: i.field, code: i.code ?? 'invalid', message: i.message, limit: i.limit, fix: i.fix ?? err.fix ?? errorKind('validation_failed').fix })),
    );
  }
  if (err instanceof WeisuError) {
    const code = apiErrorCode(err.code);
    if (!code) return internal(err);
    return problem(code, redactText(err.message), { field: err.field, fix: err.fix });
  }
  const fe = err as Partial<FastifyError> & { statusCode?: number };
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const whole = FASTIFY_CODES[fe.code ?? ''];
    const message = redactText(fe.message ?? 'bad request');
    // Body errors concern the body as a whole: one issue at field '' so a form shows it above its fields.
    if (whole) return problem(whole, message, { field: '', errors: [{ field: '', in: 'body', code: whole === 'body_too_large' ? 'too_big' : 'invalid', message, fix: errorKind(whole).fix }] });
    return problem(apiErrorCode(fe.code ?? '') ?? 'bad_request', message);
  }
  return internal(err);
}

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, toProblem(err, req));
}
