import type { StreamErrorReason } from '../streams/errors.js';

/**
 * Every error the API can answer with: a closed set of codes, each with its one HTTP status, a title
 * and what to do about it. A route names the code; the status follows from it, so one condition has
 * one status on every route (a missing frame is 409 whether a snapshot or a calibration asked for it).
 * Errors thrown below the API (store, streams, models) carry their code in `WeisuError.code`; a code not
 * listed here is a bug and answers 500, logged.
 */
interface ErrorKind {
  status: number;
  title: string;
  fix: string;
}

const API_ERRORS = {
  validation_failed: { status: 400, title: 'The request is invalid', fix: 'correct each field listed in errors, then send the request again' },
  invalid_json: { status: 400, title: 'The body is not valid JSON', fix: 'send well-formed JSON without __proto__ or constructor.prototype keys' },
  empty_body: { status: 400, title: 'The body is empty', fix: 'send a body, or no Content-Type header when there is none' },
  invalid_content_length: { status: 400, title: 'Content-Length does not match the body', fix: 'send a Content-Length that matches the body' },
  bad_request: { status: 400, title: 'The request cannot be read', fix: 'check the request against /docs' },
  image_invalid: { status: 400, title: 'The picture cannot be read', fix: 'send a complete JPEG, PNG, WebP or TIFF picture' },
  image_too_large: { status: 400, title: 'The picture is too large', fix: 'send a smaller picture' },
  image_too_small: { status: 400, title: 'The picture is too small', fix: 'send a full camera frame' },
  bad_label: { status: 400, title: 'Unknown label', fix: 'label a crop normal or overflowing' },
  unauthorized: { status: 401, title: 'Authentication needed', fix: 'log in (POST /api/v1/auth/login) or use an API token, and send it as "Authorization: Bearer <token>"' },
  login_failed: { status: 401, title: 'Login failed', fix: 'check the username and password; an administrator can set a new password' },
  forbidden: { status: 403, title: 'Not allowed for this role', fix: 'ask an administrator for a role that may do this' },
  not_found: { status: 404, title: 'Not found', fix: 'check the id (GET the list to see the existing ones)' },
  route_not_found: { status: 404, title: 'No such route', fix: 'see /docs for the routes' },
  method_not_allowed: { status: 405, title: 'Method not allowed', fix: 'use one of the methods in the Allow header' },
  conflict: { status: 409, title: 'Conflicts with what is stored', fix: 'GET the current state and decide again' },
  managed_by_config: { status: 409, title: 'Defined in the configuration file', fix: 'change it in the configuration file (the file wins on every start)' },
  no_frame: { status: 409, title: 'The camera has no frame yet', fix: 'wait for its first sample (GET /cameras/{id}/health says why there is none)' },
  no_reference: { status: 404, title: 'No reference view', fix: 'take one: POST /cameras/{id}/reference' },
  no_onvif: { status: 409, title: 'The camera has no ONVIF settings', fix: 'add onvif (address, user, password) to the camera: PATCH /cameras/{id}' },
  no_view_change: { status: 404, title: 'The camera shows its reference view', fix: 'see GET /cameras/{id}/view' },
  wrong_kind: { status: 400, title: 'Not this kind of incident', fix: 'see the fix in the answer: this action applies to another kind' },
  not_a_bin_site: { status: 409, title: 'Not a bin site', fix: 'calibrate a zone of kind bin_site' },
  no_embedding: { status: 409, title: 'The model gives no embedding', fix: 'use a classifier whose manifest has an embedding output' },
  stale: { status: 412, title: 'Changed since you read it', fix: 'GET it again (new ETag), reapply your change and send it with the new If-Match' },
  body_too_large: { status: 413, title: 'The body is too large', fix: 'send less at once (bulk imports take up to 50 MB; split bigger files)' },
  unsupported_media_type: { status: 415, title: 'Unsupported Content-Type', fix: 'send application/json (PATCH also takes application/merge-patch+json; imports also take text/csv and application/yaml)' },
  import_failed: { status: 422, title: 'Nothing was imported', fix: 'correct the rows listed in errors, then import again' },
  rate_limited: { status: 429, title: 'Too many requests', fix: 'wait for Retry-After seconds, then send fewer requests' },
  login_delayed: { status: 429, title: 'Too many failed logins', fix: 'wait for Retry-After seconds, then check the username and password' },
  onvif_failed: { status: 502, title: 'The camera refused or did not answer over ONVIF', fix: 'see the detail: check onvif.address, user and password, and that the dome is reachable' },
  internal: { status: 500, title: 'The server failed', fix: 'the error is in the server log; report it if it persists' },
  busy: { status: 503, title: 'The server is busy', fix: 'try again in a moment' },
  store_unavailable: { status: 503, title: 'A store the server needs does not answer', fix: 'an operator must check that Redis is running and reachable (REDIS_URL)' },
  missing_dependency: { status: 503, title: 'The server lacks a dependency', fix: 'see the detail: an operator must install it' },
  model_unavailable: { status: 503, title: 'A model the server needs is not usable', fix: 'an operator must check the model files (weisu models list, weisu models pull)' },
} as const satisfies Record<string, ErrorKind>;

/** A camera that could not be read: its URL at fault (400) or the camera itself (422). */
const STREAM_STATUS: Record<StreamErrorReason, 400 | 422> = {
  bad_url: 400,
  blocked: 400,
  unsupported: 422,
  not_found: 422,
  auth_failed: 422,
  unreachable: 422,
  connect_timeout: 422,
  no_frame: 422,
  bad_data: 422,
  disconnected: 422,
  ended: 422,
  aborted: 422,
  failed: 422,
  stuck: 422,
};

/** Every reason a camera gives no frame, for the views that name it. */
export const STREAM_REASONS = Object.keys(STREAM_STATUS) as [StreamErrorReason, ...StreamErrorReason[]];

export type ApiErrorCode = keyof typeof API_ERRORS | `stream_${StreamErrorReason}`;

/** Codes thrown below the API that mean one of the API's own (a model problem is one thing to a caller). */
const SAME_AS: Record<string, ApiErrorCode> = {
  model_unknown: 'model_unavailable',
  model_missing: 'model_unavailable',
  model_invalid: 'model_unavailable',
  model_mismatch: 'model_unavailable',
  model_wrong_task: 'model_unavailable',
  model_output_mismatch: 'model_unavailable',
};

export function errorKind(code: ApiErrorCode): ErrorKind {
  if (code in API_ERRORS) return API_ERRORS[code as keyof typeof API_ERRORS];
  const reason = code.slice('stream_'.length) as StreamErrorReason;
  return { status: STREAM_STATUS[reason], title: 'The camera cannot be read', fix: 'see fix: it depends on why' };
}

/** The API code of a code thrown anywhere, if it is one. */
export function apiErrorCode(code: string): ApiErrorCode | undefined {
  if (code in API_ERRORS) return code as ApiErrorCode;
  if (code.startsWith('stream_') && code.slice('stream_'.length) in STREAM_STATUS) return code as ApiErrorCode;
  return SAME_AS[code];
}

/** Every code, for the OpenAPI document and the conformance tests. */
export function allErrorCodes(): ApiErrorCode[] {
  return [...(Object.keys(API_ERRORS) as ApiErrorCode[]), ...Object.keys(STREAM_STATUS).map((r) => `stream_${r}` as ApiErrorCode)];
}
