import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findTickets } from '../../store/incident_queries.js';
import { getIncident } from '../../store/incidents.js';
import { getTicket, type TicketRow } from '../../store/tickets.js';
import { redactText } from '../../streams/redact.js';
import { OPS_READERS } from '../auth.js';
import { decodeCursor, pageOf, pageQuery, paginate } from '../pagination.js';
import type { ApiDeps } from '../server.js';

const TICKET_STATES = ['review', 'shadow', 'pending', 'sending', 'filed', 'dead', 'rejected'] as const;

const ticketView = z.strictObject({
  id: z.number().int(),
  incident_id: z.string(),
  ref: z.string().describe('weisu\'s own reference, sent to the case system'),
  adapter: z.string(),
  camera_id: z.string().nullable(),
  zone_id: z.string().nullable(),
  kind: z.string().nullable(),
  address: z.string().nullable(),
  state: z.enum(TICKET_STATES),
  case_status: z.string().nullable().describe('the case system\'s own status, when it reports one'),
  request_id: z.string().nullable(),
  attempts: z.number(),
  last_error: z.string().nullable(),
  created_at: z.iso.datetime(),
  filed_at: z.iso.datetime().nullable(),
  closed_at: z.iso.datetime().nullable(),
  expected_at: z.iso.datetime().nullable(),
  sla_due_at: z.iso.datetime().nullable().describe('the case system\'s expected time, else filed + the kind\'s SLA (alerts.sla)'),
  overdue: z.boolean().describe('open past sla_due_at'),
  age_seconds: z.number().describe('since filed (else since created); up to closing for closed tickets'),
}).meta({ id: 'Ticket' });

const ticketPage = pageOf(ticketView, 'TicketPage');

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function ticketRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const sla = deps.config.alerts.sla as Record<string, number>;

  async function toView(t: TicketRow, now: number): Promise<z.infer<typeof ticketView>> {
    const incident = await getIncident(db, t.incidentId);
    const slaMs = incident ? sla[incident.kind] : undefined;
    const due = t.expectedAt ? new Date(t.expectedAt) : t.filedAt && slaMs !== undefined ? new Date(new Date(t.filedAt).getTime() + slaMs) : null;
    const start = new Date(t.filedAt ?? t.createdAt).getTime();
    const end = t.closedAt ? new Date(t.closedAt).getTime() : now;
    return {
      id: t.id,
      incident_id: t.incidentId,
      ref: t.ref,
      adapter: t.adapter,
      camera_id: incident?.cameraId ?? null,
      zone_id: incident?.zoneId ?? null,
      kind: incident?.kind ?? null,
      address: incident?.place?.address ?? null,
      state: t.state,
      case_status: t.caseStatus,
      request_id: t.requestId,
      attempts: t.attempts,
      last_error: t.lastError && redactText(t.lastError),
      created_at: iso(t.createdAt)!,
      filed_at: iso(t.filedAt),
      closed_at: iso(t.closedAt),
      expected_at: iso(t.expectedAt),
      sla_due_at: due && due.toISOString(),
      overdue: Boolean(due && !t.closedAt && t.state === 'filed' && now > due.getTime()),
      age_seconds: Math.max(0, Math.round((end - start) / 1000)),
    };
  }

  r.get('/tickets', {
    config: { roles: OPS_READERS },
    schema: {
      tags: ['tickets'],
      operationId: 'listTickets', summary: 'Tickets (the outbox to the case system), newest first, with status, age and SLA',
      querystring: z.strictObject({ ...pageQuery, state: z.enum(TICKET_STATES).optional(), incident: z.string().max(200).optional(), camera: z.string().max(64).optional() }),
      response: { 200: ticketPage },
    },
    handler: async (req) => {
      const q = req.query;
      const before = decodeCursor(q.cursor, z.number().int());
      const ids = await findTickets(db, { state: q.state, incidentId: q.incident, cameraId: q.camera, before, limit: q.limit + 1 });
      const page = paginate(ids, q.limit, (id) => id);
      const now = Date.now();
      const items = [];
      for (const id of page.items) {
        const t = await getTicket(db, id);
        if (t) items.push(await toView(t, now));
      }
      return { items, next_cursor: page.next_cursor };
    },
  });
}
