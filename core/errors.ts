import type { IssueCode } from './zod_messages.js';

/**
 * Typed, actionable errors. Every error a user can cause names the field at fault and how to fix it,
 * so a CLI, an API response or a log line can say exactly that.
 */
export class WeisuError extends Error {
  readonly code: string;
  /** Dotted path of the offending input, e.g. `cameras[2].zones[0].polygon`. */
  readonly field?: string;
  /** One sentence telling the user what to do. */
  readonly fix?: string;

  constructor(code: string, message: string, opts: { field?: string; fix?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.field = opts.field;
    this.fix = opts.fix;
  }

  /** Human text: message, field and fix on one line each. */
  describe(): string {
    const lines = [this.message];
    if (this.field) lines.push(`  field: ${this.field}`);
    if (this.fix) lines.push(`  fix: ${this.fix}`);
    return lines.join('\n');
  }
}

/** One field at fault in a ConfigError; validation fills in the kind of mistake, its limit and fix. */
export interface ConfigIssue {
  field: string;
  message: string;
  code?: IssueCode;
  limit?: number;
  fix?: string;
}

/** Bad configuration or API input. */
export class ConfigError extends WeisuError {
  readonly issues: ConfigIssue[];
  constructor(message: string, issues: ConfigIssue[], fix?: string) {
    super('config_invalid', message, { field: issues[0]?.field, fix });
    this.issues = issues;
  }

  override describe(): string {
    return [this.message, ...this.issues.map((i) => `  ${i.field || '(root)'}: ${i.message}`)].join('\n');
  }
}

/** A dependency the machine lacks (a binary, a model file). */
export class MissingDependencyError extends WeisuError {
  constructor(what: string, fix: string) {
    super('missing_dependency', `${what} is missing`, { fix });
  }
}

/**
 * A shared store (Redis) did not answer or refused a command. Nothing is wrong with the input: the next
 * sample tries again. Raised by the store's adapters so that callers tell it apart by type, not by message.
 */
export class StoreUnavailableError extends WeisuError {
  constructor(what: string, cause: unknown) {
    super('store_unavailable', `${what}: ${(cause as Error)?.message ?? String(cause)}`, { cause, fix: 'check that Redis is running and reachable (REDIS_URL)' });
  }
}
