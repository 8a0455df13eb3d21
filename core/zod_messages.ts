import { z } from 'zod';

/**
 * zod's own messages ("Too big: expected number to be <=90", "Invalid input: expected string, received
 * undefined") are written for programmers. weisu shows them to operators (API problems, the console,
 * `weisu config check`, imports), so every issue a schema does not word itself is said plainly here:
 * what the value must be, with the limit, never with the field name (callers put the field beside it,
 * so it is never said twice). Messages a schema writes itself win over these (zod's precedence).
 */

const WHAT: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  tuple: 'a list',
  bigint: 'a whole number',
  date: 'a date',
  null: 'null',
};

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'number') return Number.isFinite(v) ? 'a number' : 'not a finite number';
  if (typeof v === 'boolean') return 'true or false';
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

const ITEMS: Record<string, [string, string]> = {
  string: ['character', 'characters'],
  array: ['item', 'items'],
  set: ['item', 'items'],
  file: ['byte', 'bytes'],
};

function count(origin: string, n: number | bigint): string {
  const unit = ITEMS[origin];
  return unit ? `${n} ${Number(n) === 1 ? unit[0] : unit[1]}` : String(n);
}

/** The plain message of a zod issue, or undefined to keep zod's. */
export function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${WHAT[issue.expected] ?? issue.expected}, not ${kindOf(issue.input)}`;
    case 'too_big': {
      const origin = String(issue.origin);
      if (origin === 'string' || origin === 'array' || origin === 'set') return `must have at most ${count(origin, issue.maximum as number)}`;
      return issue.inclusive === false ? `must be less than ${issue.maximum}` : `must be at most ${issue.maximum}`;
    }
    case 'too_small': {
      const origin = String(issue.origin);
      if ((origin === 'string' || origin === 'array') && Number(issue.minimum) === 1) return 'must not be empty';
      if (origin === 'string' || origin === 'array' || origin === 'set') return `must have at least ${count(origin, issue.minimum as number)}`;
      return issue.inclusive === false ? `must be more than ${issue.minimum}` : `must be at least ${issue.minimum}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' ? 'is not written in the expected form' : `must be a valid ${issue.format.replace(/_/g, ' ')}`;
    case 'unrecognized_keys':
      return `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove ${issue.keys.length === 1 ? 'it' : 'them'} or check the spelling`;
    case 'invalid_union':
      return 'does not match any of the accepted forms';
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
}

z.config({ customError: plainMessage });

/** `cameras[0].zones[1].polygon` from a zod path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

/** What kind of mistake a field holds: a client may word it in its own language from this and `limit`. */
export type IssueCode = 'required' | 'wrong_type' | 'too_big' | 'too_small' | 'not_allowed' | 'unknown_key' | 'bad_format' | 'invalid';

/** One field at fault, said for a person: the message, the limit it broke (if any) and what to do. */
export interface FieldIssue {
  /** Dotted path, e.g. `location.lat` or `zones[0].polygon[2]`. */
  field: string;
  /** The same path as keys, for callers that look the value up (line numbers in imported files). */
  path: PropertyKey[];
  code: IssueCode;
  message: string;
  limit?: number;
  fix: string;
}

function leafOf(path: readonly PropertyKey[]): string {
  const last = [...path].reverse().find((p) => typeof p === 'string');
  return last === undefined ? 'the value' : String(last);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), input);
}

/**
 * zod issues → one FieldIssue per field (an issue naming several unknown keys becomes one per key).
 * `input` is what was validated: a missing value is told from a wrong one by looking at it.
 */
export function fieldIssues(issues: readonly z.core.$ZodIssue[], input: unknown): FieldIssue[] {
  return issues.flatMap((i): FieldIssue[] => {
    const path = i.path as PropertyKey[];
    const at = (code: IssueCode, fix: string, limit?: number): FieldIssue => ({ field: fieldPath(path), path, code, message: i.message, fix, ...(limit === undefined ? {} : { limit }) });
    const leaf = leafOf(path);
    switch (i.code) {
      case 'unrecognized_keys':
        return i.keys.map((k) => ({ field: fieldPath([...path, k]), path: [...path, k], code: 'unknown_key', message: `unknown key "${k}"`, fix: 'remove it or check its spelling' }));
      case 'invalid_type':
        return [valueAt(input, path) === undefined ? at('required', `add ${leaf}`) : at('wrong_type', `send ${leaf} as ${WHAT[i.expected] ?? i.expected}`)];
      case 'too_big':
        return [at('too_big', `use ${Number(i.maximum)} or less`, Number(i.maximum))];
      case 'too_small':
        return [at('too_small', `use ${Number(i.minimum)} or more`, Number(i.minimum))];
      case 'invalid_value':
        return [at('not_allowed', `use one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`)];
      case 'invalid_format':
        return [at('bad_format', `write ${leaf} as the message says`)];
      default:
        return [at('invalid', `change ${leaf} as the message says`)];
    }
  });
}
