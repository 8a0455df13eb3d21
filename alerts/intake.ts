import { createHash } from 'node:crypto';
import type { IncidentMessage } from '../core/types.js';
import { WeisuError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { CameraConfig, WeisuConfig } from '../config/schema.js';
import type { Db } from '../store/db.js';
import { audit } from '../store/audit.js';
import { getIncident, insertIncident, transitionIncident, type IncidentPlace } from '../store/incidents.js';
import { insertEvidence, type EvidenceRow } from '../store/evidence.js';
import { getTicketOfIncident, insertTicket, type TicketState } from '../store/tickets.js';
import { isRepeatWithinCooldown, lockPlate, recordPlate } from '../store/plates.js';
import type { EvidenceStore } from './evidence_store.js';
import { renderEvidence } from './evidence.js';
import { notifyCrews } from './notify.js';

export interface AlertsDeps {
  db: Db;
  /** Uses public_url, case_api, alerts and cameras. */
  config: WeisuConfig;
  evidence: EvidenceStore;
  log?: Logger;
  /** The store's current view of cameras (API edits included); config.cameras is the fallback. */
  findCamera?: (id: string) => Promise<CameraConfig | undefined>;
}

/** weisu's reference of an incident's ticket: stable, so a re-delivered message maps onto the same one. */
export function ticketRef(incidentId: string): string {
  return `ws-${createHash('sha256').update(incidentId).digest('hex').slice(0, 20)}`;
}

/**
 * Takes one message from the `incidents` queue. Idempotent on the incident id: a re-delivered message
 * changes nothing. For `confirmed`, the incident, its evidence and its ticket intent (per the kind's
 * mode) are committed in one transaction before anything is sent anywhere — the outbox the sender
 * works from — so a crash at any point loses nothing and files nothing twice. A read plate seen on a
 * ticketed incident within `plates.cooldown` before makes this one a repeat: stored, audited, no ticket.
 */
export async function acceptIncident(deps: AlertsDeps, msg: IncidentMessage): Promise<{ incidentId: string; created: boolean }> {
  const e = msg.event;
  if (e.type === 'cleared') {
    await deps.db.tx(async (db) => {
      const row = await transitionIncident(db, e.incidentId, ['open'], 'cleared', { lastSeenMs: e.lastSeen });
      if (!row) {
        // Its `confirmed` may still be rendering in another consumer: fail so the queue delivers this again.
        if (!(await getIncident(db, e.incidentId))) throw new WeisuError('incident_not_yet_stored', `incident ${e.incidentId} is not stored yet; its "cleared" will be retried`);
        return;
      }
      await audit(db, { actor: 'rules', entity: 'incident', entityId: e.incidentId, action: 'cleared', reason: `${e.subject.label} no longer seen in zone ${e.zoneId}` });
      // Crews hear about incidents they were sent (or are about to be), not shadow or rejected ones.
      const ticket = await getTicketOfIncident(db, row.id);
      if (ticket && ['pending', 'sending', 'filed'].includes(ticket.state)) await notifyCrews(db, deps.config.alerts, deps.evidence, 'incident.cleared', row, ticket);
    });
    return { incidentId: e.incidentId, created: false };
  }

  if (await getIncident(deps.db, e.incidentId)) return { incidentId: e.incidentId, created: false };

  const camera = (await deps.findCamera?.(e.cameraId)) ?? deps.config.cameras.find((c) => c.id === e.cameraId);
  const zone = camera?.zones.find((z) => z.id === e.zoneId);
  const place: IncidentPlace | null = camera
    ? { cameraName: camera.name ?? camera.id, lat: camera.location.lat, lon: camera.location.lon, address: camera.location.address, timezone: camera.timezone, polygon: zone?.polygon as [number, number][] | undefined }
    : null;

  const plate = msg.plate && 'text' in msg.plate ? msg.plate : undefined;

  // Rendering is slow and touches only content-addressed files, so it happens outside the transaction;
  // a failure is recorded on the incident and never loses it.
  const ev = deps.config.alerts.evidence;
  let images: EvidenceRow[] = [];
  let evidenceError: string | null = null;
  try {
    const rendered = await renderEvidence({
      event: e,
      frames: msg.frames,
      camera: camera ?? { id: e.cameraId, timezone: 'UTC' },
      polygon: place?.polygon,
      plate: plate && { text: plate.text, confidence: plate.confidence },
      blurPeople: ev.blur_people,
      quality: ev.quality,
      maxBytes: ev.max_bytes,
      maxImages: ev.max_images,
    });
    images = rendered.map((r) => ({ incidentId: e.incidentId, role: r.role, sha256: deps.evidence.put(r.jpeg), bytes: r.jpeg.length, width: r.width, height: r.height }));
  } catch (err) {
    evidenceError = (err as Error).message;
    deps.log?.warn({ incidentId: e.incidentId, err: evidenceError }, 'evidence could not be rendered; incident kept without it');
  }

  const alerts = deps.config.alerts;
  const override = alerts.mode_overrides.find((o) => o.camera === e.cameraId && (!o.zone || o.zone === e.zoneId));
  const mode = override?.mode ?? alerts.modes[e.kind];
  const caseApi = deps.config.case_api;
  const state: TicketState = !caseApi || mode === 'shadow' ? 'shadow' : mode === 'review' ? 'review' : 'pending';

  const created = await deps.db.tx(async (db) => {
    const inserted = await insertIncident(db, {
      id: e.incidentId,
      cameraId: e.cameraId,
      zoneId: e.zoneId,
      kind: e.kind,
      mode,
      firstSeenMs: e.firstSeen,
      confirmedMs: e.confirmedAt,
      lastSeenMs: e.lastSeen,
      subject: e.subject,
      frameSize: e.frameSize,
      plate: msg.plate ?? null,
      place,
      evidenceError,
    });
    if (!inserted) return false; // another consumer took the same message first
    for (const img of images) await insertEvidence(db, img);
    // A ticketed incident of the same plate within the cooldown, on any camera (the car may have moved
    // into the next camera's view); unread plates never match; itself excluded, so a re-delivery is not
    // its own repeat. Either side of this one: consumers take incidents out of order, and the later
    // spot's incident may be filed first. The lock makes two consumers on the same plate take turns.
    const plates = deps.config.plates;
    const read = plate && plates.enabled ? plate : undefined;
    if (read) await lockPlate(db, read.text);
    const prior = read
      ? await isRepeatWithinCooldown(db, read.text, undefined, e.confirmedAt + plates.cooldown, 2 * plates.cooldown, { excludeIncidentId: e.incidentId })
      : null;
    const repeatOf = prior?.incidentId ?? null;
    await audit(db, {
      actor: 'rules',
      entity: 'incident',
      entityId: e.incidentId,
      action: 'confirmed',
      reason: `${e.subject.label} in ${e.kind} zone ${e.zoneId} of camera ${e.cameraId}`,
      data: { mode, evidence: images.map((i) => i.sha256), evidenceError, firstSeen: e.firstSeen, confirmedAt: e.confirmedAt, plate: plate?.text ?? null, repeatOf },
    });
    if (read) {
      const format = read.format ?? 'unknown';
      await recordPlate(db, { incidentId: e.incidentId, plate: { text: read.text, format, confidence: read.confidence }, cameraId: e.cameraId, zoneId: e.zoneId, at: e.confirmedAt, repeatOf });
    }
    if (repeatOf) {
      // A car that merely moved to the next spot is the same offence: the incident is kept (operators see
      // it), but the city gets no second ticket and the crews no second call.
      await audit(db, {
        actor: 'alerts',
        entity: 'incident',
        entityId: e.incidentId,
        action: 'not_ticketed',
        reason: `same plate within cooldown of incident ${repeatOf}`,
        data: { repeatOf, plate: read!.text, cooldownMs: plates.cooldown },
      });
      return true;
    }
    const ticket = await insertTicket(db, { incidentId: e.incidentId, ref: ticketRef(e.incidentId), adapter: caseApi?.kind ?? 'none', state });
    await audit(db, {
      actor: 'alerts',
      entity: 'ticket',
      entityId: ticket.ref,
      action: `created_${state}`,
      reason: !caseApi ? 'no case_api configured: recorded only' : `mode ${mode} for ${e.kind}`,
      data: { incidentId: e.incidentId },
    });
    return true;
  });
  if (created) deps.log?.info({ incidentId: e.incidentId, kind: e.kind, mode }, 'incident accepted');
  return { incidentId: e.incidentId, created };
}
