import { StoreUnavailableError, WeisuError } from '../core/errors.js';
import { StreamError } from '../streams/errors.js';

/** The detector failed on a frame (a corrupt picture, the ONNX session gone): the sample fails with reason `detect`. */
export class DetectError extends WeisuError {
  constructor(cause: unknown) {
    super('detect', `detector: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/**
 * Why a sample failed, for its metrics and its `last-sample` record, by the error's type: a camera's
 * stream error kind (streams/errors.ts), `detect`, `redis` when the shared store did not answer, another
 * weisu error's code, else `internal` (a bug).
 */
export function failureReason(e: unknown): string {
  if (e instanceof StreamError) return e.reason;
  if (e instanceof StoreUnavailableError) return 'redis';
  if (e instanceof WeisuError) return e.code;
  return 'internal';
}
