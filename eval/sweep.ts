import type { SweepCandidate } from './parking.js';

/**
 * The settings `npm run eval -- --sweep` tries, each over the whole suite (never one scenario): the
 * defaults, then one setting at a time moved below and above its default (the zone's time windows and the
 * parking rule's tuning constants, rules/parking/tuning.ts), so each line says what that constant buys.
 */
const ZONE: Record<string, unknown[]> = {
  clear_grace: ['10s', '20s', '60s'],
  max_hidden: ['1m'],
};
const TUNING: Record<string, number[]> = {
  hidden_coverage: [0.2, 0.45],
  front_slack: [0.05, 0.2],
  look_hue: [0.025, 0.05],
  look_brightness: [1.6, 2.5],
  reappear_iou: [0.6, 0.85],
  reappear_iou_once: [0.8, 0.95],
  seen_per_gap: [1, 3],
  empty_sightings: [1, 3],
};

export const SWEEP: SweepCandidate[] = [
  { name: 'defaults', zone: {} },
  ...Object.entries(ZONE).flatMap(([k, vs]) => vs.map((v) => ({ name: `${k} ${String(v)}`, zone: { [k]: v } }))),
  ...Object.entries(TUNING).flatMap(([k, vs]) => vs.map((v) => ({ name: `tuning.${k} ${v}`, zone: { tuning: { [k]: v } } }))),
];
