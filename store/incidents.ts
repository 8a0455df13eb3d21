import type { BBox, IncidentKind } from '../core/types.js';
import type { Db } from './db.js';

/**
 * Incident lifecycle:
 *   open → (rule saw it end) cleared
 *   open | cleared → (case system closed the ticket) verifying → verified | closed_not_fixed
 *   open → dismissed (an operator rejected it in review)
 */
export interface IncidentPlace {
  cameraName: string;
  lat: number;
  lon: number;
  address?: string;
  timezone: string;
  polygon?: [number, number][];
}

export type IncidentState = 'open' | 'cleared' | 'verifying' | 'verified' | 'closed_not_fixed' | 'dismissed';

export interface IncidentRow {
  id: string;
  cameraId: string;
  zoneId: string;
  kind: IncidentKind;
  mode: 'auto' | 'review' | 'shadow';
  state: IncidentState;
  firstSeenMs: number;
  confirmedMs: number;
  lastSeenMs: number;
  subject: { box: BBox; label: string; score: number; trackId?: number };
  frameSize: { width: number; height: number };
  plate: { text: string; confidence: number } | { unread: true; reason: string } | null;
  /** The camera and zone as they were when the incident was confirmed (later config edits do not rewrite history). */
  place: IncidentPlace | null;
  evidenceError: string | null;
  recheckResult: string | null;
  /** An operator's verdict: was it really an offence? */
  judgement: 'correct' | 'wrong' | null;
  judgedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  clearedAt: Date | null;
  verifiedAt: Date | null;
}

const COLUMNS = `id, camera_id AS "cameraId", zone_id AS "zoneId", kind, mode, state,
  first_seen_ms::float8 AS "firstSeenMs", confirmed_ms::float8 AS "confirmedMs", last_seen_ms::float8 AS "lastSeenMs",
  subject, frame_size AS "frameSize", plate, place, evidence_error AS "evidenceError", recheck_result AS "recheckResult",
  judgement, judged_by AS "judgedBy", created_at AS "createdAt", updated_at AS "updatedAt", cleared_at AS "clearedAt", verified_at AS "verifiedAt"`;

export type NewIncident = Pick<IncidentRow, 'id' | 'cameraId' | 'zoneId' | 'kind' | 'mode' | 'firstSeenMs' | 'confirmedMs' | 'lastSeenMs' | 'subject' | 'frameSize' | 'plate' | 'place' | 'evidenceError'>;

/** Inserts an incident unless its id exists; true when this call created it. */
export async function insertIncident(db: Db, i: NewIncident): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO incidents (id, camera_id, zone_id, kind, mode, state, first_seen_ms, confirmed_ms, last_seen_ms, subject, frame_size, plate, place, evidence_error)
     VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [i.id, i.cameraId, i.zoneId, i.kind, i.mode, Math.round(i.firstSeenMs), Math.round(i.confirmedMs), Math.round(i.lastSeenMs),
      JSON.stringify(i.subject), JSON.stringify(i.frameSize), i.plate ? JSON.stringify(i.plate) : null,
      i.place ? JSON.stringify(i.place) : null, i.evidenceError],
  );
  return rows.length === 1;
}

export async function getIncident(db: Db, id: string): Promise<IncidentRow | undefined> {
  return (await db.query<IncidentRow>(`SELECT ${COLUMNS} FROM incidents WHERE id = $1`, [id]))[0];
}

/**
 * Moves an incident to `to` only from one of `from` (a compare-and-set, so two writers cannot both
 * make the same transition); returns the updated row, or undefined when it was not in `from`.
 */
export async function transitionIncident(
  db: Db,
  id: string,
  from: IncidentState[],
  to: IncidentState,
  set: { lastSeenMs?: number; recheckResult?: string } = {},
): Promise<IncidentRow | undefined> {
  const rows = await db.query<IncidentRow>(
    `UPDATE incidents SET state = $3, updated_at = now(),
       last_seen_ms = COALESCE($4, last_seen_ms),
       recheck_result = COALESCE($5, recheck_result),
       cleared_at = CASE WHEN $3 = 'cleared' THEN now() ELSE cleared_at END,
       verified_at = CASE WHEN $3 IN ('verified', 'closed_not_fixed') THEN now() ELSE verified_at END
     WHERE id = $1 AND state = ANY($2::text[]) RETURNING ${COLUMNS}`,
    [id, from, to, set.lastSeenMs === undefined ? null : Math.round(set.lastSeenMs), set.recheckResult ?? null],
  );
  return rows[0];
}

export async function listIncidents(
  db: Db,
  f: { state?: IncidentState; cameraId?: string; limit?: number; before?: Date } = {},
): Promise<IncidentRow[]> {
  return db.query<IncidentRow>(
    `SELECT ${COLUMNS} FROM incidents
     WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR camera_id = $2) AND ($3::timestamptz IS NULL OR created_at < $3)
     ORDER BY created_at DESC, id LIMIT $4`,
    [f.state ?? null, f.cameraId ?? null, f.before ?? null, f.limit ?? 100],
  );
}

/** Records an operator's verdict on an incident (the latest verdict wins). */
export async function setJudgement(db: Db, id: string, judgement: 'correct' | 'wrong', by: string): Promise<boolean> {
  const rows = await db.query('UPDATE incidents SET judgement = $2, judged_by = $3, judged_at = now(), updated_at = now() WHERE id = $1 RETURNING id', [id, judgement, by]);
  return rows.length === 1;
}

export interface PrecisionRow {
  kind: IncidentKind;
  mode: string;
  incidents: number;
  judged: number;
  correct: number;
}

/** Per kind and mode: how many incidents, how many judged, how many judged correct. */
export async function precisionCounts(db: Db, since?: Date): Promise<PrecisionRow[]> {
  return db.query<PrecisionRow>(
    `SELECT kind, mode, count(*)::int AS incidents, count(judgement)::int AS judged, count(*) FILTER (WHERE judgement = 'correct')::int AS correct
     FROM incidents WHERE ($1::timestamptz IS NULL OR created_at >= $1) GROUP BY kind, mode ORDER BY kind, mode`,
    [since ?? null],
  );
}

/**
 * Incidents waiting for verification, least recently considered first, so that ones the camera cannot
 * judge for a long time do not crowd out the rest. `touchIncident` marks one as just considered.
 */
export async function incidentsToVerify(db: Db, limit: number): Promise<IncidentRow[]> {
  return db.query<IncidentRow>(`SELECT ${COLUMNS} FROM incidents WHERE state = 'verifying' ORDER BY updated_at, id LIMIT $1`, [limit]);
}

export async function touchIncident(db: Db, id: string): Promise<void> {
  await db.query('UPDATE incidents SET updated_at = now() WHERE id = $1', [id]);
}
