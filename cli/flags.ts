import { WeisuError } from '../core/errors.js';

/** A whole-number command-line flag, or a clear error naming it. */
export function intFlag(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new WeisuError('bad_flag', `${name} must be a whole number ≥ ${min}, got "${value}"`, { field: name, fix: `e.g. ${name} ${Math.max(min, 1)}` });
  }
  return n;
}
