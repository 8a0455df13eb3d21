import { WeisuError } from '../../core/errors.js';
import type { CaseRequest } from '../case_request.js';

/** What a case system said when it took a request: its id, or a token to resolve into one later. */
export interface Filed {
  requestId?: string;
  token?: string;
  notice?: string;
}

export interface CaseStatus {
  status: 'open' | 'closed';
  notes?: string;
  expectedAt?: Date;
}

/**
 * How a call to the case system failed, which decides what the sender may do next:
 * - `not_sent`: it certainly did not arrive (connection refused): post again.
 * - `ambiguous`: it may have arrived (timeout, reset, 5xx, unreadable answer): look up before posting again.
 * - `rejected`: the case system refused it (4xx): retrying the same request is pointless; dead-letter.
 */
export type FailureKind = 'not_sent' | 'ambiguous' | 'rejected';

export class CaseCallError extends WeisuError {
  readonly failure: FailureKind;
  constructor(failure: FailureKind, message: string, cause?: unknown) {
    super(`case_${failure}`, message, { cause });
    this.failure = failure;
  }
}

/** One case system. Built from its config by adapters/index.ts. */
export interface CaseAdapter {
  readonly kind: string;
  file(req: CaseRequest): Promise<Filed>;
  /** Finds the request weisu may already have filed (by its ref); null when the case system has none. Absent: cannot look up. */
  lookup?(req: CaseRequest): Promise<Filed | null>;
  /** Turns a token into a request id; undefined while the case system has not assigned one. */
  resolveToken?(token: string): Promise<string | undefined>;
  status?(requestId: string): Promise<CaseStatus>;
  /**
   * Asks the case system whether the config fits it (e.g. the service codes exist); returns the problems,
   * each naming the config field. Absent: nothing to ask.
   */
  check?(): Promise<{ field: string; message: string }[]>;
  /** Sends a closed case back as not fixed. Absent: the case system offers no way. */
  reopen?(requestId: string, req: CaseRequest, reason: string): Promise<void>;
}
