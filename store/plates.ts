import { plateKey } from '../plates/formats.js';
import { audit } from './audit.js';
import type { Db } from './db.js';

/**
 * Plates per incident: "same plate within a cooldown → no second ticket" (a car that merely moves to
 * the next spot is the same offence) and repeat offenders per plate and week.
 * Times are source milliseconds (the frames' clock: capture time for live cameras).
 */
export interface PlateSighting {
  incidentId: string;
  /** Letters and digits only (浙GZ6825): what matching uses. */
  plateKey: string;
  /** As written on the ticket (浙G·Z6825). */
  plateText: string;
  format: string;
  confidence: number;
  cameraId: string;
  zoneId: string | null;
  atMs: number;
  /** The incident this one repeated (no ticket of its own), or null for an offence that was ticketed. */
  repeatOf: string | null;
}

export interface NewPlateSighting {
  incidentId: string;
  plate: { text: string; format: string; confidence: number };
  cameraId: string;
  zoneId?: string | null;
  at: number | Date;
  repeatOf?: string | null;
}

const COLUMNS = `incident_id AS "incidentId", plate_key AS "plateKey", plate_text AS "plateText", format, confidence,
  camera_id AS "cameraId", zone_id AS "zoneId", at_ms::float8 AS "atMs", repeat_of AS "repeatOf"`;

const ms = (t: number | Date) => Math.round(t instanceof Date ? t.getTime() : t);

/** Records the plate read on an incident; idempotent per incident (true when this call recorded it). */
export async function recordPlate(db: Db, s: NewPlateSighting): Promise<boolean> {
  return db.tx(async (t) => {
    const rows = await t.query(
      `INSERT INTO plate_sightings (incident_id, plate_key, plate_text, format, confidence, camera_id, zone_id, at_ms, repeat_of)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (incident_id) DO NOTHING RETURNING id`,
      [s.incidentId, plateKey(s.plate.text), s.plate.text, s.plate.format, s.plate.confidence, s.cameraId, s.zoneId ?? null, ms(s.at), s.repeatOf ?? null],
    );
    if (rows.length === 0) return false;
    await audit(t, {
      actor: 'plates',
      entity: 'incident',
      entityId: s.incidentId,
      action: s.repeatOf ? 'plate_repeat' : 'plate_read',
      reason: s.repeatOf ? `same plate as incident ${s.repeatOf} within the cooldown: no second ticket` : undefined,
      data: { plate: s.plate.text, confidence: s.plate.confidence },
    });
    return true;
  });
}

/**
 * Serializes, until the transaction ends, the cooldown decisions on one plate: two incidents of the same
 * car accepted at once (neighbouring cameras, two consumers) cannot both find no prior and both be ticketed.
 */
export async function lockPlate(db: Db, plate: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 4242))', [`plate:${plateKey(plate)}`]);
}

/**
 * The ticketed offence of the same plate within `cooldownMs` before `at` (on `cameraId` only when given,
 * else on any camera), or null. Measured from the ticketed offence, not from later repeats, so a car
 * hopping from spot to spot cannot stretch its cooldown forever. Call it before recording the new read;
 * the incident itself (`excludeIncidentId`) never counts, so a re-delivered incident is not its own repeat.
 */
export async function isRepeatWithinCooldown(
  db: Db,
  plate: string,
  cameraId: string | null | undefined,
  at: number | Date,
  cooldownMs: number,
  opts: { excludeIncidentId?: string } = {},
): Promise<PlateSighting | null> {
  const t = ms(at);
  const rows = await db.query<PlateSighting>(
    `SELECT ${COLUMNS} FROM plate_sightings
     WHERE plate_key = $1 AND repeat_of IS NULL AND at_ms > $2 AND at_ms <= $3
       AND ($4::text IS NULL OR camera_id = $4) AND ($5::text IS NULL OR incident_id <> $5)
     ORDER BY at_ms DESC LIMIT 1`,
    [plateKey(plate), t - cooldownMs, t, cameraId ?? null, opts.excludeIncidentId ?? null],
  );
  return rows[0] ?? null;
}

/** Every incident a plate was read on, newest first (offences and their repeats), for a plate's page. */
export async function plateHistory(db: Db, plate: string, opts: { limit?: number } = {}): Promise<PlateSighting[]> {
  return db.query<PlateSighting>(`SELECT ${COLUMNS} FROM plate_sightings WHERE plate_key = $1 ORDER BY at_ms DESC LIMIT $2`, [plateKey(plate), opts.limit ?? 100]);
}

export interface RepeatOffender {
  plateKey: string;
  /** As last written on a ticket. */
  plateText: string;
  /** Ticketed offences that week (repeats within a cooldown are one offence). */
  offences: number;
  cameras: string[];
  incidentIds: string[];
  firstAtMs: number;
  lastAtMs: number;
}

const WEEK_MS = 7 * 86_400_000;

/** Plates with at least `minOffences` ticketed offences in the week starting at `weekStart`, most first. */
export async function repeatOffenders(db: Db, weekStart: number | Date, opts: { minOffences?: number; limit?: number } = {}): Promise<RepeatOffender[]> {
  const from = ms(weekStart);
  return db.query<RepeatOffender>(
    `SELECT plate_key AS "plateKey",
            (array_agg(plate_text ORDER BY at_ms DESC))[1] AS "plateText",
            count(*)::int AS offences,
            array_agg(DISTINCT camera_id ORDER BY camera_id) AS cameras,
            array_agg(incident_id ORDER BY at_ms) AS "incidentIds",
            min(at_ms)::float8 AS "firstAtMs", max(at_ms)::float8 AS "lastAtMs"
     FROM plate_sightings
     WHERE repeat_of IS NULL AND at_ms >= $1 AND at_ms < $2
     GROUP BY plate_key HAVING count(*) >= $3
     ORDER BY offences DESC, "lastAtMs" DESC LIMIT $4`,
    [from, from + WEEK_MS, opts.minOffences ?? 2, opts.limit ?? 100],
  );
}

/**
 * Monday 00:00 of the week containing `at`, in `timeZone` (the city's), as epoch milliseconds: the
 * `weekStart` repeat offenders are counted from.
 */
export function weekStart(at: number | Date, timeZone = 'Asia/Shanghai'): number {
  const t = ms(at);
  const local = wallClock(t, timeZone);
  const mondayLocal = Date.UTC(local.year, local.month - 1, local.day - local.dow);
  // The zone's offset at the Monday itself (it may differ from now's across a daylight-saving change).
  const guess = mondayLocal - local.offset;
  return mondayLocal - wallClock(guess, timeZone).offset;
}

/** Wall-clock date, weekday (0 = Monday) and UTC offset of an instant in a time zone. */
function wallClock(t: number, timeZone: string): { year: number; month: number; day: number; dow: number; offset: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' })
      .formatToParts(new Date(t))
      .map((p) => [p.type, p.value]),
  );
  const [year, month, day] = [+parts.year!, +parts.month!, +parts.day!];
  // The wall time read as if it were UTC, minus the real instant, is the zone's offset then.
  const offset = Date.UTC(year, month - 1, day, +parts.hour!, +parts.minute!, +parts.second!) - Math.floor(t / 1000) * 1000;
  return { year, month, day, dow: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday!), offset };
}
