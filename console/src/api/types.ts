/**
 * The shapes the console reads from the weisu API (/api/v1). They mirror the API's zod schemas
 * (GET /openapi.json is the reference); fields the console does not use are left out.
 */

export type Role = 'admin' | 'operator' | 'integrator' | 'viewer';

export interface Session {
  token: string;
  role: Role;
  expires_at: string;
  username: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Location {
  lat: number;
  lon: number;
  address?: string;
}

/** When a no-parking zone is enforced (rules/schema.ts): `mon-fri 07:00-19:00` windows minus `2026-10-01..2026-10-07` dates. */
export interface Schedule {
  windows: string[];
  except?: string[];
}

/** Zones carry more tuning fields (classes, min_score, ...); the editor keeps those it does not show. */
interface ZoneBase {
  id: string;
  name?: string;
  polygon: [number, number][];
  [tuning: string]: unknown;
}

export interface NoParkingZone extends ZoneBase {
  kind: 'no_parking';
  dwell: string;
  schedule?: Schedule;
}

export interface BinSiteZone extends ZoneBase {
  kind: 'bin_site';
  persist: string | number;
}

export type Zone = NoParkingZone | BinSiteZone;
export type ZoneKind = Zone['kind'];

export type HealthState = 'online' | 'degraded' | 'offline' | 'auth_failed' | 'unsupported' | 'unknown';

/** Whether the camera shows the view its zones were drawn on (GET /cameras/{id}/view, also in its health). */
export interface CameraViewState {
  state: 'aligned' | 'view_changed' | 'obstructed' | 'unknown';
  reason?: string;
  since?: string;
  picture_url?: string;
}

/** streams/health.ts as the API passes it on (camelCase or snake_case: read through readHealth()). */
export interface CameraHealth {
  state: HealthState;
  view?: CameraViewState;
  [k: string]: unknown;
}

export type ManagedBy = 'config' | 'api';

export interface Camera {
  id: string;
  name?: string;
  /** Redacted (credentials shown as ***); sending it back unchanged keeps the stored one. */
  url: string;
  username?: string;
  has_password?: boolean;
  location: Location;
  enabled: boolean;
  sample_every: string;
  timezone: string;
  zones: Zone[];
  health?: CameraHealth;
  /** WebSocket URL of the camera's live relay (MPEG-TS for JSMpeg), when the server offers one. */
  live_url?: string | null;
  /** config: defined in the YAML file and read-only here (the file wins on every start). */
  managed_by?: ManagedBy;
  zones_managed_by?: Record<string, ManagedBy>;
  revision?: number;
}

/** open → cleared → verifying → verified | closed_not_fixed; open → dismissed (rejected in review). */
export type IncidentState = 'open' | 'cleared' | 'verifying' | 'verified' | 'closed_not_fixed' | 'dismissed';
export type IncidentKind = 'no_parking' | 'bin_overflow';

export interface Evidence {
  role: string;
  /** Signed, expiring URL under public_url; null when the server keeps no evidence. */
  url: string | null;
  width?: number;
  height?: number;
}

/** Source times are epoch milliseconds or ISO strings; fmtDateTime takes both. */
type Time = string | number;

export interface TicketRef {
  id: number | string;
  ref?: string;
  state: string;
}

export interface Incident {
  id: string;
  camera_id: string;
  zone_id: string;
  kind: IncidentKind;
  /** review: waits for an operator before a ticket is filed; auto: filed at once; shadow: recorded only. */
  mode?: 'auto' | 'review' | 'shadow';
  state: IncidentState;
  first_seen: Time;
  confirmed_at: Time;
  last_seen?: Time;
  created_at?: string;
  cleared_at?: string | null;
  subject?: { box: [number, number, number, number]; label: string; score: number };
  frame_size?: { width: number; height: number };
  plate?: { text: string; confidence: number } | { unread: true; reason: string } | null;
  evidence?: Evidence[];
  evidence_error?: string | null;
  place?: { camera_name: string; lat: number; lon: number; address: string | null } | null;
  review?: { decision: 'approved' | 'rejected'; reason?: string | null; by?: string; at?: string } | null;
  ticket?: TicketRef | null;
}

export interface Ticket {
  id: number | string;
  incident_id: string;
  ref?: string;
  camera_id?: string;
  zone_id?: string;
  kind?: IncidentKind;
  /** Outbox state: review, shadow, pending, sending, filed, dead, rejected. */
  state: string;
  /** The case system's own status, when it reports one. */
  case_status?: string | null;
  request_id?: string | null;
  last_error?: string | null;
  created_at: string;
  filed_at?: string | null;
  closed_at?: string | null;
  /** When the SLA runs out (the case system's expected time, else filed + the kind's SLA). */
  sla_due_at?: string | null;
  expected_at?: string | null;
  address?: string | null;
  adapter?: string;
  attempts?: number;
  /** Open past sla_due_at. */
  overdue?: boolean;
  /** Since filed (else created), up to closing for closed tickets. */
  age_seconds?: number;
}

/** Incidents per local day, camera and kind, with operators' verdicts. */
export interface DailyStat {
  day: string;
  camera_id: string;
  kind: IncidentKind | string;
  count: number;
  approved?: number;
  rejected?: number;
}

/** One place (camera, zone, category) and its incidents over the period, rejected ones excluded. */
export interface Hotspot {
  camera_id: string;
  zone_id?: string;
  kind?: string;
  count: number;
  rejected?: number;
  last_at?: string;
  name?: string | null;
  address?: string | null;
  location?: { lat: number; lon: number } | null;
}

export type CalibrationLabel = 'normal' | 'overflowing';

/** One labelled crop of a bin site (cut and embedded by the server as the bin observer does). */
export interface CalibrationExample {
  id: number | string;
  label: CalibrationLabel;
  model?: string;
  /** `latest frame` or `uploaded frame`. */
  source?: string | null;
  created_by?: string;
  created_at?: string;
  /** API path of the crop (JPEG), behind the bearer token. */
  image_url?: string;
}
