import type { CameraHealth, HealthState, ViewState } from '../api/types.js';

/** What the console shows of a camera's health: a disabled camera is "disabled" whatever it last said. */
export type ShownState = HealthState | 'view_changed' | 'obstructed' | 'disabled';

/**
 * The view record of a camera that gives pictures, but not of the view its zones were drawn on: its
 * rules are paused, which the wall and the camera page say.
 */
export function pausedView(h: CameraHealth | undefined): (ViewState & { state: 'view_changed' | 'obstructed' }) | undefined {
  if (!h || (h.state !== 'online' && h.state !== 'degraded')) return undefined;
  const v = h.view;
  return v && (v.state === 'view_changed' || v.state === 'obstructed') ? { ...v, state: v.state } : undefined;
}

/** A camera not in the health list yet (just added) has not been sampled: "unknown", not "offline". */
export function shownState(h: CameraHealth | undefined, enabled = true): ShownState {
  if (!enabled) return 'disabled';
  return pausedView(h)?.state ?? h?.state ?? 'unknown';
}
