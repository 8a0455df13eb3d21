import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses `500ms`, `10s`, `2m`, `1.5h`, `1d` into milliseconds; throws with the accepted forms otherwise. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration: write a number and a unit, e.g. 500ms, 10s, 2m, 1h, 1d`);
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** zod field for a positive duration written as text (`10s`); parses to milliseconds. */
export function durationField(what: string) {
  return z
    .string()
    .regex(DURATION, { message: `${what} must be a number and a unit (ms, s, m, h, d), e.g. 10s or 5m` })
    .transform((s) => parseDuration(s))
    .refine((ms) => ms > 0, { message: `${what} must be greater than zero` });
}
