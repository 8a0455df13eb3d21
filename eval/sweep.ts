import type { SweepCandidate } from './parking.js';

/**
 * The settings `npm run eval -- --sweep` tries, each over the whole suite (never one scenario): how long
 * the spot must be seen empty before a stay ends, and how much the box may move and still be the same stay.
 */
const GRACES: (number | string)[] = [2, 3, 5, '10s', '20s', '30s'];
const STATIONARY_IOUS = [0.4, 0.5, 0.6];

export const SWEEP: SweepCandidate[] = GRACES.flatMap((clear_grace) =>
  STATIONARY_IOUS.map((stationary_iou) => ({ name: `clear_grace ${clear_grace}, stationary_iou ${stationary_iou}`, zone: { clear_grace, stationary_iou } })),
);
