import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { approveTicket, rejectTicket, retryDeadTicket } from '../../alerts/review.js';
import { notFound } from '../../store/cameras.js';
import type { Db } from '../../store/db.js';
import { listEvidence } from '../../store/evidence.js';
import { findIncidents } from '../../store/incident_queries.js';
import { getIncident, type IncidentRow } from '../../store/incidents.js';
import { recordReview, reviewsOf, type Review } from '../../store/reviews.js';
import { getTicketOfIncident } from '../../store/tickets.js';
import { redactText } from '../../streams/redact.js';
import { actor, OPS_READERS, REVIEWERS } from '../auth.js';
import { decodeCursor, pageOf, pageQuery, paginate } from '../pagination.js';
import type { ApiDeps } from '../server.js';

const STATES = ['open', 'cleared', 'verifying', 'verified', 'closed_not_fixed', 'dismissed'] as const;
const KINDS = ['no_parking', 'bin_overflow'] as const;

const incidentParams = z.object({ id: z.string().min(1).max(200) });

const evidenceView = z.strictObject({ role: z.string(), url: z.string().nullable().describe('signed, expiring URL of the JPEG; null when the server has no evidence store'), width: z.number(), height: z.number(), bytes: z.number() }).meta({ id: 'Evidence' });

export const incidentView = z.strictObject({
  id: z.string(),
  camera_id: z.string(),
  zone_id: z.string(),
  kind: z.string(),
  mode: z.enum(['auto', 'review', 'shadow']),
  state: z.enum(STATES),
  first_seen: z.iso.datetime().describe('when the subject was first seen (the frame\'s time)'),
  confirmed_at: z.iso.datetime().describe('when it became an offence (the frame\'s time)'),
  last_seen: z.iso.datetime().describe('the frame\'s time'),
  created_at: z.iso.datetime(),
  cleared_at: z.iso.datetime().nullable(),
  verified_at: z.iso.datetime().nullable(),
  subject: z.strictObject({ box: z.array(z.number()), label: z.string(), score: z.number() }),
  frame_size: z.strictObject({ width: z.number(), height: z.number() }),
  plate: z.union([z.strictObject({ text: z.string(), confidence: z.number() }), z.strictObject({ unread: z.literal(true), reason: z.string() })]).nullable(),
  place: z.strictObject({ camera_name: z.string(), lat: z.number(), lon: z.number(), address: z.string().nullable() }).nullable(),
  evidence: z.array(evidenceView),
  evidence_error: z.string().nullable(),
  recheck_result: z.string().nullable(),
  review: z.strictObject({ decision: z.enum(['approved', 'rejected']), reason: z.string().nullable(), by: z.string(), at: z.iso.datetime() }).nullable(),
  ticket: z.strictObject({ id: z.number().int(), ref: z.string(), state: z.string() }).nullable(),
}).meta({ id: 'Incident' });

const incidentPage = pageOf(incidentView, 'IncidentPage');

type IncidentView = z.infer<typeof incidentView>;

const iso = (d: Date | string | number | null) => (d === null ? null : new Date(d).toISOString());

async function toView(db: Db, deps: ApiDeps, i: IncidentRow, review: Review | undefined): Promise<IncidentView> {
  const [evidence, ticket] = await Promise.all([listEvidence(db, i.id), getTicketOfIncident(db, i.id)]);
  return {
    id: i.id,
    camera_id: i.cameraId,
    zone_id: i.zoneId,
    kind: i.kind,
    mode: i.mode,
    state: i.state,
    first_seen: iso(i.firstSeenMs)!,
    confirmed_at: iso(i.confirmedMs)!,
    last_seen: iso(i.lastSeenMs)!,
    created_at: iso(i.createdAt)!,
    cleared_at: iso(i.clearedAt),
    verified_at: iso(i.verifiedAt),
    subject: { box: i.subject.box, label: i.subject.label, score: i.subject.score },
    frame_size: { width: i.frameSize.width, height: i.frameSize.height },
    plate: i.plate && ('text' in i.plate ? { text: i.plate.text, confidence: i.plate.confidence } : { unread: true as const, reason: i.plate.reason }),
    place: i.place && { camera_name: i.place.cameraName, lat: i.place.lat, lon: i.place.lon, address: i.place.address ?? null },
    evidence: evidence.map((e) => ({ role: e.role, url: deps.evidenceUrl?.(e.sha256) ?? null, width: e.width, height: e.height, bytes: e.bytes })),
    evidence_error: i.evidenceError && redactText(i.evidenceError),
    recheck_result: i.recheckResult,
    review: review ? { decision: review.decision, reason: review.reason, by: review.actor, at: iso(review.at)! } : null,
    ticket: ticket ? { id: ticket.id, ref: ticket.ref, state: ticket.state } : null,
  };
}

async function viewOf(db: Db, deps: ApiDeps, id: string): Promise<IncidentView> {
  const row = await getIncident(db, id);
  if (!row) throw notFound('incident', id);
  return toView(db, deps, row, (await reviewsOf(db, [id]))[0]);
}

/** Approve and retry take an optional note; no body at all is the same as none. */
const optionalReason = z.strictObject({ reason: z.string().max(2000).optional() }).nullish();

const timeQuery = z.iso.datetime({ offset: true, error: 'a time in ISO 8601 with a zone, e.g. 2026-05-01T00:00:00+08:00' });

export async function incidentRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['incidents'];

  r.get('/incidents', {
    config: { roles: OPS_READERS },
    schema: {
      tags,
      operationId: 'listIncidents', summary: 'Incidents, newest first',
      querystring: z.strictObject({
        ...pageQuery,
        camera: z.string().max(64).optional(),
        kind: z.enum(KINDS).optional(),
        state: z.enum(STATES).optional(),
        since: timeQuery.optional().describe('created at or after'),
        until: timeQuery.optional().describe('created before'),
      }),
      response: { 200: incidentPage },
    },
    handler: async (req) => {
      const q = req.query;
      const after = decodeCursor(q.cursor, z.object({ at: z.string(), id: z.string() }));
      const keys = await findIncidents(db, {
        cameraId: q.camera,
        kind: q.kind,
        state: q.state,
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
        after,
        limit: q.limit + 1,
      });
      const page = paginate(keys, q.limit, (k) => k);
      const reviews = new Map((await reviewsOf(db, page.items.map((k) => k.id))).map((rv) => [rv.incidentId, rv]));
      const items: IncidentView[] = [];
      for (const k of page.items) {
        const row = await getIncident(db, k.id);
        if (row) items.push(await toView(db, deps, row, reviews.get(k.id)));
      }
      return { items, next_cursor: page.next_cursor };
    },
  });

  r.get('/incidents/:id', {
    config: { roles: OPS_READERS },
    schema: { tags, operationId: 'getIncident', summary: 'One incident with its evidence, review and ticket', params: incidentParams, response: { 200: incidentView } },
    handler: async (req) => viewOf(db, deps, req.params.id),
  });

  const verdicts = [
    {
      path: 'approve',
      decision: 'approved',
      summary: 'Confirm the incident (a true positive)',
      effect: 'In review mode this files its ticket.',
      body: optionalReason,
    },
    {
      path: 'reject',
      decision: 'rejected',
      summary: 'Reject the incident (a false positive), with a reason',
      effect: 'In review mode nothing is filed and the incident is dismissed.',
      body: z.strictObject({ reason: z.string().trim().min(1, 'say why it is not an offence (it feeds precision statistics)').max(2000) }),
    },
  ] as const;
  for (const v of verdicts) {
    r.post(`/incidents/:id/${v.path}`, {
      config: { roles: REVIEWERS },
      schema: {
        tags,
        operationId: `${v.path}Incident`, summary: v.summary,
        description: `${v.effect} In every mode the verdict counts toward precision statistics. A verdict is final (409 on a second one).`,
        params: incidentParams,
        body: v.body,
        response: { 200: incidentView },
      },
      handler: async (req) => {
        await decide(db, req.params.id, v.decision, actor(req), (req.body as { reason?: string } | null | undefined)?.reason);
        return viewOf(db, deps, req.params.id);
      },
    });
  }

  r.post('/incidents/:id/retry', {
    config: { roles: REVIEWERS },
    schema: {
      tags,
      operationId: 'retryIncident', summary: 'Send a dead-lettered ticket again',
      params: incidentParams,
      body: optionalReason,
      response: { 200: incidentView },
    },
    handler: async (req) => {
      if (!(await getIncident(db, req.params.id))) throw notFound('incident', req.params.id);
      await retryDeadTicket(db, req.params.id, actor(req), req.body?.reason);
      return viewOf(db, deps, req.params.id);
    },
  });
}

/** Verdict and, in review mode, the ticket's fate, in one transaction. */
export async function decide(db: Db, id: string, decision: 'approved' | 'rejected', who: string, reason: string | undefined): Promise<void> {
  await db.tx(async (t) => {
    if (!(await getIncident(t, id))) throw notFound('incident', id);
    await recordReview(t, { incidentId: id, decision, reason: reason ?? null, actor: who });
    const ticket = await getTicketOfIncident(t, id);
    if (ticket?.state !== 'review') return;
    if (decision === 'approved') await approveTicket(t, id, who, reason);
    else await rejectTicket(t, id, who, reason!);
  });
}
