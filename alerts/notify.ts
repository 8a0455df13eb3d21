import type { Db } from '../store/db.js';
import type { IncidentRow } from '../store/incidents.js';
import type { TicketRow } from '../store/tickets.js';
import { listEvidence } from '../store/evidence.js';
import { insertDelivery } from '../store/webhooks.js';
import type { AlertsConfig, WebhookConfig } from './schema.js';
import type { EvidenceStore } from './evidence_store.js';
import { mapLink } from './case_request.js';
import { isoTime } from './wording.js';

export type CrewEvent = NonNullable<WebhookConfig['events']>[number];

/** The JSON body crews receive: the ticket, where to go (map link), and what to look at (evidence). */
export interface CrewMessage {
  event: CrewEvent;
  at: string;
  incident: {
    id: string;
    kind: string;
    state: string;
    camera_id: string;
    camera_name?: string;
    zone_id: string;
    label: string;
    plate?: string;
    first_seen?: string;
    confirmed_at?: string;
  };
  ticket?: { ref: string; state: string; request_id: string | null; token: string | null; case_status: string | null; error: string | null };
  location?: { lat: number; lon: number; address?: string; map_link: string };
  evidence_url?: string;
  photo_urls: string[];
  reason?: string;
}

/** The crew webhooks that take `event` of this camera. */
export function webhooksFor(alerts: AlertsConfig, event: CrewEvent, cameraId: string): WebhookConfig[] {
  return alerts.webhooks.filter((w) => (!w.events || w.events.includes(event)) && (!w.cameras || w.cameras.includes(cameraId)));
}

/**
 * Queues `event` for every crew webhook that wants it, in the caller's transaction: the message is
 * committed with the change it reports, and the webhook sender delivers it (with retries) afterwards.
 */
export async function notifyCrews(
  db: Db,
  alerts: AlertsConfig,
  store: EvidenceStore,
  event: CrewEvent,
  incident: IncidentRow,
  ticket?: TicketRow,
  reason?: string,
): Promise<void> {
  const targets = webhooksFor(alerts, event, incident.cameraId);
  if (!targets.length) return;
  const evidence = await listEvidence(db, incident.id);
  const main = evidence.find((e) => e.role === 'main') ?? evidence[0];
  const place = incident.place;
  const body: CrewMessage = {
    event,
    at: new Date().toISOString(),
    incident: {
      id: incident.id,
      kind: incident.kind,
      state: incident.state,
      camera_id: incident.cameraId,
      camera_name: place?.cameraName,
      zone_id: incident.zoneId,
      label: incident.subject.label,
      plate: incident.plate && 'text' in incident.plate ? incident.plate.text : undefined,
      first_seen: isoTime(incident.firstSeenMs),
      confirmed_at: isoTime(incident.confirmedMs),
    },
    ticket: ticket && {
      ref: ticket.ref,
      state: ticket.state,
      request_id: ticket.requestId,
      token: ticket.token,
      case_status: ticket.caseStatus,
      error: ticket.lastError,
    },
    location: place ? { lat: place.lat, lon: place.lon, address: place.address, map_link: mapLink(alerts.map_link, place.lat, place.lon) } : undefined,
    evidence_url: main && store.url(main.sha256),
    photo_urls: evidence.map((e) => store.url(e.sha256)),
    reason,
  };
  for (const t of targets) await insertDelivery(db, { target: t.id, event, body });
}
