import { z } from 'zod';
import { durationField } from '../core/duration.js';
import { templateProblem } from './template.js';

const httpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `${what} must be an http:// or https:// URL` });

/** A category's service code: named in the error when missing, since every kind must be fileable. */
const serviceCode = (category: string) =>
  z
    .string({ error: `the service code for ${category} is missing: copy it from the city's services.json` })
    .min(1, `the service code for ${category} is empty: copy it from the city's services.json`);

/** Sending settings every adapter shares: how long one call may take. */
const callFields = {
  /** One HTTP call to the case system gives up after this long (and counts as ambiguous: looked up before re-posting). */
  timeout: durationField('case_api.timeout').prefault('15s'),
};

export const open311Schema = z.strictObject({
  kind: z.literal('open311'),
  /** Base of the GeoReport v2 API; requests go to `{endpoint}requests.json`. */
  endpoint: httpUrl('case_api.endpoint').transform((u) => (u.endsWith('/') ? u : `${u}/`)),
  api_key: z.string().min(1, 'case_api.api_key is empty: set it, e.g. api_key: ${OPEN311_API_KEY}'),
  jurisdiction_id: z.string().optional(),
  /** Service code per incident category, as published by the city's `services.json`. */
  service_codes: z.strictObject({ illegal_parking: serviceCode('illegal_parking'), bin_overflow: serviceCode('bin_overflow') }),
  /**
   * Sent as `attribute[code]=value`: marks the request as found by a camera before anyone reported it.
   * Use the attribute codes of the city's service definitions.
   */
  attributes: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'attribute codes use only letters, digits, _ . -'), z.string()).default({
    source: 'camera_detection',
    found_before_report: 'true',
  }),
  ...callFields,
});

/** Category codes (大类/小类) of one incident kind in a 12345 / 数字城管 platform. */
const categorySchema = z.strictObject({
  major: z.string().min(1, 'category major code (大类) is empty'),
  minor: z.string().min(1, 'category minor code (小类) is empty'),
});

/** Grid (网格) and street (街道) of a camera, as the city's platform names them. */
const areaSchema = z.strictObject({ grid: z.string().optional(), street: z.string().optional() });

/** A JSON value whose strings may hold `{{field}}` placeholders (checked against the known fields at start). */
const jsonTemplate: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonTemplate), z.record(z.string(), jsonTemplate)]),
);

const templated = <T extends z.ZodType>(schema: T) =>
  schema.superRefine((value, ctx) => {
    for (const p of templateProblem(value)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });

/** Dotted path into a JSON response, e.g. `data.caseId` or `data[0].id`. */
const responsePath = z.string().regex(/^[^.\[\]]+(\[\d+\])*(\.[^.\[\]]+(\[\d+\])*)*$/, 'a response path looks like data.caseId or data[0].id');

export const jsonApiSchema = z.strictObject({
  kind: z.literal('json'),
  /** Where a case is created (may hold `{{field}}` placeholders). */
  url: templated(httpUrl('case_api.url')),
  method: z.enum(['POST', 'PUT']).default('POST'),
  headers: templated(z.record(z.string(), z.string())).default({}),
  /** Category codes per incident category. */
  categories: z.strictObject({ illegal_parking: categorySchema, bin_overflow: categorySchema }),
  /** Grid and street per camera id (fields `grid` and `street` in templates). */
  areas: z.record(z.string(), areaSchema).default({}),
  /** The request body: any JSON; `"{{field}}"` alone keeps the field's type (numbers, arrays), inside text it is interpolated. */
  body: templated(jsonTemplate),
  /** Where the case id is in the response body. */
  case_id_path: responsePath,
  /**
   * How to find a case weisu may already have created (after a timeout): a GET whose response holds the
   * case id at `case_id_path` when it exists. Without it, an ambiguous failure is dead-lettered for an
   * operator instead of risking a second case.
   */
  lookup: z.strictObject({ url: templated(httpUrl('case_api.lookup.url')), case_id_path: responsePath }).optional(),
  /** How to read a case's status: a GET returning the status at `status_path`; values in `closed` mean closed. */
  status: z
    .strictObject({
      url: templated(httpUrl('case_api.status.url')),
      status_path: responsePath,
      closed: z.array(z.string()).min(1).default(['closed', '已办结', '已结案']),
    })
    .optional(),
  /**
   * How to send a case back when the city closed it but the camera still sees the problem
   * (closed_not_fixed): a call with `{{case_id}}` and `{{reason}}`. Without it, operators are told only.
   */
  reopen: z
    .strictObject({ url: templated(httpUrl('case_api.reopen.url')), method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'), body: templated(jsonTemplate) })
    .optional(),
  ...callFields,
});

export const caseApiSchema = z.discriminatedUnion('kind', [open311Schema, jsonApiSchema]);

export type CaseApiConfig = z.output<typeof caseApiSchema>;
export type Open311Config = z.output<typeof open311Schema>;
export type JsonApiConfig = z.output<typeof jsonApiSchema>;

/** What happens when a rule confirms an incident of a kind. */
export const modeSchema = z.enum(['auto', 'review', 'shadow']);
export type AlertMode = z.output<typeof modeSchema>;

const webhookSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, 'webhook id must use only a-z, 0-9 and -'),
  url: httpUrl('webhook url'),
  /** HMAC-SHA256 key; the receiver checks `X-Weisu-Signature` with it. */
  secret: z.string().min(16, 'webhook secret must be at least 16 characters'),
  /** Which events it receives; all crew events when unset. */
  events: z.array(z.enum(['ticket.filed', 'ticket.dead', 'ticket.overdue', 'incident.cleared', 'incident.verified', 'incident.closed_not_fixed'])).optional(),
  /** Only incidents of these cameras (all when unset). */
  cameras: z.array(z.string()).optional(),
});

export const alertsSchema = z.strictObject({
  /** Per incident kind: auto files at once, review waits for an operator, shadow only records (to measure precision). */
  modes: z
    .strictObject({ no_parking: modeSchema.default('auto'), bin_overflow: modeSchema.default('auto') })
    .prefault({}),
  /** Exceptions to `modes`, first match wins: e.g. a newly drawn zone kept in shadow while its precision is measured. */
  mode_overrides: z
    .array(z.strictObject({ camera: z.string().min(1), zone: z.string().min(1).optional(), mode: modeSchema }))
    .default([]),
  /** Signs evidence URLs and lets them expire. Unset: a random key kept in `<data_dir>/evidence/.signing_key`. */
  signing_secret: z.string().min(32, 'alerts.signing_secret must be at least 32 characters').optional(),
  evidence: z
    .strictObject({
      /** How long an evidence URL keeps working (the case system and crews fetch it later). */
      url_ttl: durationField('alerts.evidence.url_ttl').prefault('90d'),
      /** Largest JPEG stored; bigger renders are re-encoded smaller, then scaled down. */
      max_bytes: z.number().int().min(50_000).default(2_000_000),
      /** Most images kept per incident. */
      max_images: z.number().int().min(1).max(10).default(4),
      quality: z.number().int().min(40).max(100).default(85),
      /** Pictures of finished (or never filed) incidents are deleted after this long; the record of them stays. */
      keep: durationField('alerts.evidence.keep').prefault('180d'),
      /** Blur people other than the subject (privacy by default). */
      blur_people: z.boolean().default(true),
    })
    .prefault({}),
  outbox: z
    .strictObject({
      /** Attempts before a ticket is dead-lettered for an operator. */
      attempts: z.number().int().min(1).max(100).default(10),
      /** First retry delay; doubles each attempt, with jitter, up to max_delay. */
      base_delay: durationField('alerts.outbox.base_delay').prefault('5s'),
      max_delay: durationField('alerts.outbox.max_delay').prefault('30m'),
      /** How often the sender looks for due tickets and webhooks. */
      poll: durationField('alerts.outbox.poll').prefault('1s'),
      /** Calls in flight at once. */
      concurrency: z.number().int().min(1).max(64).default(4),
    })
    .prefault({}),
  /** Crews' webhooks. */
  webhooks: z.array(webhookSchema).default([]),
  /** Receives a copy of every audit entry (archive / dispatch / oversight). */
  oversight: z.strictObject({ url: httpUrl('alerts.oversight.url'), secret: z.string().min(16, 'alerts.oversight.secret must be at least 16 characters') }).optional(),
  /** Status polling and the re-check after close (回头看). */
  status_poll: durationField('alerts.status_poll').prefault('5m'),
  /** Time to fix per kind; a filed ticket open longer (or past the case system's expected_datetime) raises a reminder (催办). */
  sla: z
    .strictObject({
      no_parking: durationField('alerts.sla.no_parking').prefault('30m'),
      bin_overflow: durationField('alerts.sla.bin_overflow').prefault('4h'),
    })
    .prefault({}),
  /** Gap between reminders for one overdue ticket. */
  remind_every: durationField('alerts.remind_every').prefault('1h'),
  /** Map link sent to crews; `{lat}` and `{lon}` are replaced. */
  map_link: z.string().includes('{lat}', { message: 'alerts.map_link needs {lat} and {lon}' }).includes('{lon}', { message: 'alerts.map_link needs {lat} and {lon}' }).default('https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=19/{lat}/{lon}'),
});

export type AlertsConfig = z.output<typeof alertsSchema>;
export type WebhookConfig = z.output<typeof webhookSchema>;
