import type { IncidentRow } from '../store/incidents.js';
import type { EvidenceRow } from '../store/evidence.js';
import type { TicketRow } from '../store/tickets.js';
import type { EvidenceStore } from './evidence_store.js';
import { KIND_WORDS, durationWords, isoTime, plateWords, timeWords } from './wording.js';

/**
 * What one ticket says, independent of the case system: each adapter maps this onto its own wire format.
 * Built from the stored incident (never from live config), so a retry sends what the first try sent.
 */
export interface CaseRequest {
  ref: string;
  incidentId: string;
  kind: IncidentRow['kind'];
  category: 'illegal_parking' | 'bin_overflow';
  cameraId: string;
  cameraName: string;
  zoneId: string;
  lat: number;
  lon: number;
  address: string;
  descriptionZh: string;
  descriptionEn: string;
  /** Both languages and the reference marker, plain text, at most 4000 characters. */
  description: string;
  mediaUrl?: string;
  photoUrls: string[];
  mapLink: string;
  firstSeenIso?: string;
  confirmedIso?: string;
  durationSeconds: number;
  label: string;
  plate?: string;
  /** The earliest an earlier attempt can have reached the case system (first post, else creation): bounds a look-up by date. */
  postedSince: Date;
}

export const DESCRIPTION_MAX = 4000;

/** The marker weisu puts in every description so it can find its own request again. */
export function refMarker(ref: string): string {
  return `[weisu:${ref}]`;
}

export function mapLink(template: string, lat: number, lon: number): string {
  return template.replaceAll('{lat}', lat.toFixed(6)).replaceAll('{lon}', lon.toFixed(6));
}

/** Why a ticket cannot be built (e.g. its camera had no location), or the request. */
export function buildCaseRequest(
  incident: IncidentRow,
  ticket: Pick<TicketRow, 'ref' | 'createdAt'> & { firstPostAt?: Date | null },
  evidence: EvidenceRow[],
  store: EvidenceStore,
  mapTemplate: string,
): CaseRequest {
  const place = incident.place;
  if (!place) throw new Error(`camera "${incident.cameraId}" was not configured when the incident was confirmed, so the ticket has no location`);
  const words = KIND_WORDS[incident.kind];
  const durationMs = Math.max(0, incident.confirmedMs - incident.firstSeenMs);
  const d = durationWords(durationMs);
  const read = incident.plate && 'text' in incident.plate ? incident.plate : undefined;
  const plate = read?.text;
  const plateSaid = read && plateWords(read);
  const where = `${place.cameraName}${place.address ? `（${place.address}）` : ''}`;
  const whereEn = `${place.cameraName}${place.address ? ` (${place.address})` : ''}`;
  const tz = place.timezone;
  const first = timeWords(incident.firstSeenMs, tz);
  const confirmed = timeWords(incident.confirmedMs, tz);
  const label = incident.subject.label;
  const descriptionZh =
    incident.kind === 'no_parking'
      ? `【视频智能发现】${where}禁停区域（${incident.zoneId}）内有车辆（${label}${plateSaid ? `，车牌 ${plateSaid.zh}` : ''}）违章停放，已${words.durationZh}${d.zh}（首次发现 ${first}，确认 ${confirmed}）。由摄像头 ${incident.cameraId} 自动发现，尚无群众举报。`
      : `【视频智能发现】${where}垃圾投放点（${incident.zoneId}）垃圾桶满溢，已${words.durationZh}${d.zh}（首次发现 ${first}，确认 ${confirmed}）。由摄像头 ${incident.cameraId} 自动发现，尚无群众举报。`;
  const descriptionEn =
    incident.kind === 'no_parking'
      ? `[Found by camera] A vehicle (${label}${plateSaid ? `, plate ${plateSaid.en}` : ''}) has been parked in no-parking zone "${incident.zoneId}" at ${whereEn} for ${d.en} (first seen ${first}, confirmed ${confirmed}). Detected automatically by camera ${incident.cameraId} before any report.`
      : `[Found by camera] The bin at site "${incident.zoneId}", ${whereEn}, has been overflowing for ${d.en} (first seen ${first}, confirmed ${confirmed}). Detected automatically by camera ${incident.cameraId} before any report.`;
  const marker = refMarker(ticket.ref);
  const body = plainText(`${descriptionZh}\n\n${descriptionEn}`);
  const description = `${body.slice(0, DESCRIPTION_MAX - marker.length - 2)}\n\n${marker}`;
  const byRole = (role: string) => evidence.find((e) => e.role === role);
  const main = byRole('main') ?? evidence[0];
  return {
    ref: ticket.ref,
    incidentId: incident.id,
    kind: incident.kind,
    category: words.category,
    cameraId: incident.cameraId,
    cameraName: place.cameraName,
    zoneId: incident.zoneId,
    lat: place.lat,
    lon: place.lon,
    address: place.address ?? `${place.lat.toFixed(6)},${place.lon.toFixed(6)}`,
    descriptionZh: plainText(descriptionZh),
    descriptionEn: plainText(descriptionEn),
    description,
    mediaUrl: main && store.url(main.sha256),
    photoUrls: evidence.map((e) => store.url(e.sha256)),
    mapLink: mapLink(mapTemplate, place.lat, place.lon),
    firstSeenIso: isoTime(incident.firstSeenMs),
    confirmedIso: isoTime(incident.confirmedMs),
    durationSeconds: Math.round(durationMs / 1000),
    label,
    plate,
    postedSince: ticket.firstPostAt ?? ticket.createdAt,
  };
}

/** Case systems show descriptions as text: no markup, no control characters. */
function plainText(s: string): string {
  return s
    .replace(/<[^>]*>/g, '')
    .replace(/[<>]/g, '')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
}
