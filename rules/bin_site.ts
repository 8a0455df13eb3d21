import type { BinObservation, RuleEvent } from '../core/types.js';
import { pixelBounds, type Point } from '../core/geometry.js';
import type { RuleContext } from './no_parking.js';
import type { BinSiteZone, Persistence } from './schema.js';

/**
 * The overflowing-bin rule for one site. A judged state (overflowing or normal) must persist — for a
 * duration or a number of consecutive judged samples — before it counts: an incident when overflowing
 * persists, cleared (the verification after a ticket) when normal persists again. Skipped observations
 * (too dark, glare) are neither evidence for nor against: they leave the state as it was.
 */

export interface BinRun {
  state: 'overflowing' | 'normal';
  since: number;
  samples: number;
}

export interface BinSiteState {
  kind: 'bin_site';
  run?: BinRun;
  incident?: { incidentId: string; firstSeen: number; confirmedAt: number; lastSeen: number; score: number; decidedBy: BinObservation['decidedBy'] };
}

export function emptyBinSite(): BinSiteState {
  return { kind: 'bin_site' };
}

function held(run: BinRun, p: Persistence, ts: number): boolean {
  return 'samples' in p ? run.samples >= p.samples : ts - run.since >= p.ms;
}

export function stepBinSite(
  prev: BinSiteState | undefined,
  obs: BinObservation | undefined,
  zone: BinSiteZone,
  ctx: RuleContext,
): { state: BinSiteState; events: RuleEvent[] } {
  const state = prev ?? emptyBinSite();
  if (!obs || obs.state === 'skipped') return { state, events: [] };
  const { ts } = ctx;
  const run: BinRun = state.run?.state === obs.state ? { ...state.run, samples: state.run.samples + 1 } : { state: obs.state, since: ts, samples: 1 };
  let incident = state.incident && obs.state === 'overflowing' ? { ...state.incident, lastSeen: ts, score: obs.score } : state.incident;
  const events: RuleEvent[] = [];
  const emit = (type: RuleEvent['type'], inc: NonNullable<BinSiteState['incident']>) =>
    events.push({
      type,
      incidentId: inc.incidentId,
      cameraId: ctx.cameraId,
      zoneId: zone.id,
      kind: 'bin_overflow',
      firstSeen: inc.firstSeen,
      confirmedAt: inc.confirmedAt,
      lastSeen: inc.lastSeen,
      ts,
      // The site's box in pixels: what the classifier saw and what evidence outlines.
      subject: { box: pixelBounds(zone.polygon as Point[], ctx.frameSize), label: obs.state, score: obs.score },
      frameSize: { ...ctx.frameSize },
    });

  if (!incident && run.state === 'overflowing' && held(run, zone.persist, ts)) {
    incident = { incidentId: `${ctx.cameraId}:${zone.id}:${run.since}`, firstSeen: run.since, confirmedAt: ts, lastSeen: ts, score: obs.score, decidedBy: obs.decidedBy };
    emit('confirmed', incident);
  } else if (incident && run.state === 'normal' && held(run, zone.clear_after, ts)) {
    emit('cleared', incident);
    incident = undefined;
  }
  return { state: { kind: 'bin_site', run, ...(incident ? { incident } : {}) }, events };
}
