/**
 * Exponential backoff with "equal jitter": half the delay fixed, half random, so retries of many
 * tickets that failed together spread out instead of hammering a recovering case system at once.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
