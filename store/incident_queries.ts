import type { Db } from './db.js';

/**
 * Read-side queries the API needs over the alerts tables (incidents, tickets, reviews): filtered,
 * cursor-paginated lists and the dashboard's statistics. Rows themselves are read through the alerts
 * repositories (store/incidents.ts, store/tickets.ts); these return keys and aggregates only.
 */

/** Position in a list ordered newest first: (created_at, id). */
export interface TimeKey {
  at: string;
  id: string;
}

export interface IncidentFilter {
  cameraId?: string;
  kind?: string;
  state?: string;
  since?: Date;
  until?: Date;
  after?: TimeKey;
  limit: number;
}

/** Incident ids, newest first, with the key to continue after each. */
export async function findIncidents(db: Db, f: IncidentFilter): Promise<TimeKey[]> {
  const rows = await db.query<{ id: string; at: string }>(
    `SELECT id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at FROM incidents
     WHERE ($1::text IS NULL OR camera_id = $1) AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR state = $3)
       AND ($4::timestamptz IS NULL OR created_at >= $4) AND ($5::timestamptz IS NULL OR created_at < $5)
       AND ($6::timestamptz IS NULL OR (created_at, id) < ($6::timestamptz, $7::text))
     ORDER BY created_at DESC, id DESC LIMIT $8`,
    [f.cameraId ?? null, f.kind ?? null, f.state ?? null, f.since ?? null, f.until ?? null, f.after?.at ?? null, f.after?.id ?? null, f.limit],
  );
  return rows;
}

export interface TicketFilter {
  state?: string;
  incidentId?: string;
  cameraId?: string;
  /** Ticket id to continue after (newest first). */
  before?: number;
  limit: number;
}

export async function findTickets(db: Db, f: TicketFilter): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    `SELECT t.id::int AS id FROM tickets t JOIN incidents i ON i.id = t.incident_id
     WHERE ($1::text IS NULL OR t.state = $1) AND ($2::text IS NULL OR t.incident_id = $2) AND ($3::text IS NULL OR i.camera_id = $3)
       AND ($4::bigint IS NULL OR t.id < $4)
     ORDER BY t.id DESC LIMIT $5`,
    [f.state ?? null, f.incidentId ?? null, f.cameraId ?? null, f.before ?? null, f.limit],
  );
  return rows.map((r) => r.id);
}

export interface DailyRow {
  day: string;
  camera_id: string;
  kind: string;
  count: number;
  approved: number;
  rejected: number;
}

/** Incidents per local day, camera and kind over the last `days` days, with operators' verdicts. */
export async function dailyCounts(db: Db, days: number, timezone: string): Promise<DailyRow[]> {
  return db.query<DailyRow>(
    `SELECT to_char((i.created_at AT TIME ZONE $2)::date, 'YYYY-MM-DD') AS day, i.camera_id, i.kind,
            count(*)::int AS count,
            count(*) FILTER (WHERE r.decision = 'approved')::int AS approved,
            count(*) FILTER (WHERE r.decision = 'rejected')::int AS rejected
     FROM incidents i LEFT JOIN incident_reviews r ON r.incident_id = i.id
     WHERE i.created_at >= date_trunc('day', now() AT TIME ZONE $2) AT TIME ZONE $2 - ($1::int - 1) * interval '1 day'
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    [days, timezone],
  );
}

export interface HotspotRow {
  camera_id: string;
  zone_id: string;
  kind: string;
  count: number;
  /** Rejected by operators (false positives) — shown so a noisy zone is not mistaken for a hotspot. */
  rejected: number;
  last_at: string;
  camera_name: string | null;
  address: string | null;
  lat: number | null;
  lon: number | null;
}

/**
 * The places with most incidents over the last `days` days (one topic per area: camera, zone and
 * category), excluding incidents operators rejected. Place details are from the newest incident.
 */
export async function hotspots(db: Db, days: number, limit: number): Promise<HotspotRow[]> {
  return db.query<HotspotRow>(
    `SELECT i.camera_id, i.zone_id, i.kind,
            (count(*) FILTER (WHERE r.decision IS DISTINCT FROM 'rejected'))::int AS count,
            (count(*) FILTER (WHERE r.decision = 'rejected'))::int AS rejected,
            to_char(max(i.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_at,
            (array_agg(i.place ->> 'cameraName' ORDER BY i.created_at DESC))[1] AS camera_name,
            (array_agg(i.place ->> 'address' ORDER BY i.created_at DESC))[1] AS address,
            (array_agg((i.place ->> 'lat')::float8 ORDER BY i.created_at DESC))[1] AS lat,
            (array_agg((i.place ->> 'lon')::float8 ORDER BY i.created_at DESC))[1] AS lon
     FROM incidents i LEFT JOIN incident_reviews r ON r.incident_id = i.id
     WHERE i.created_at >= now() - $1::int * interval '1 day'
     GROUP BY i.camera_id, i.zone_id, i.kind
     HAVING count(*) FILTER (WHERE r.decision IS DISTINCT FROM 'rejected') > 0
     ORDER BY count DESC, last_at DESC LIMIT $2`,
    [days, limit],
  );
}

export interface PrecisionRow {
  kind: string;
  camera_id: string;
  approved: number;
  rejected: number;
}

/** Operators' verdicts per kind and camera over the last `days` days (precision = approved / both). */
export async function precision(db: Db, days: number): Promise<PrecisionRow[]> {
  return db.query<PrecisionRow>(
    `SELECT i.kind, i.camera_id,
            count(*) FILTER (WHERE r.decision = 'approved')::int AS approved,
            count(*) FILTER (WHERE r.decision = 'rejected')::int AS rejected
     FROM incident_reviews r JOIN incidents i ON i.id = r.incident_id
     WHERE r.at >= now() - $1::int * interval '1 day'
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [days],
  );
}
