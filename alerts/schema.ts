import { z } from 'zod';
import { durationField } from '../core/duration.js';
import { templateProblem } from './template.js';

const httpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `${what} must be an http:// or https:// URL` });

/** A category's service code: named in the error when missing, since every kind must be fileable. */
const serviceCode = (category: string) =>
  z
    .string({ error: `the service code for ${category} is missing: copy it from the city's services.json` })
    .min(1, `the service code for ${category} is empty: copy it from the city's services.json`)
    .describe(`service code of ${category.replace('_', ' ')} requests`);

/** Sending settings every adapter shares: how long one call may take. */
const callFields = {
  timeout: durationField('case_api.timeout').prefault('15s').describe('One HTTP call to the case system gives up after this long (and counts as ambiguous: looked up before re-posting).'),
};

export const open311Schema = z.strictObject({
  kind: z.literal('open311').describe('an Open311 GeoReport v2 endpoint'),
  endpoint: httpUrl('case_api.endpoint').transform((u) => (u.endsWith('/') ? u : `${u}/`)).describe('Base of the GeoReport v2 API; requests go to `{endpoint}requests.json`.'),
  api_key: z.string().min(1, 'case_api.api_key is empty: set it, e.g. api_key: ${OPEN311_API_KEY}').describe('the API key the city issued (write ${VAR} to take it from the environment)'),
  jurisdiction_id: z.string().optional().describe('sent as jurisdiction_id when the endpoint serves several jurisdictions'),
  service_codes: z.strictObject({ illegal_parking: serviceCode('illegal_parking'), bin_overflow: serviceCode('bin_overflow') }).describe('Service code per incident category, as published by the city\'s `services.json`.'),
  attributes: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'attribute codes use only letters, digits, _ . -'), z.string()).default({
    source: 'camera_detection',
    found_before_report: 'true',
  }).describe('Sent as `attribute[code]=value`: marks the request as found by a camera before anyone reported it. Use the attribute codes of the city\'s service definitions.'),
  ...callFields,
});

/** Category codes (大类/小类) of one incident kind in a 12345 / 数字城管 platform. */
const categorySchema = z.strictObject({
  major: z.string().min(1, 'category major code (大类) is empty').describe('major category code (大类)'),
  minor: z.string().min(1, 'category minor code (小类) is empty').describe('minor category code (小类)'),
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
  kind: z.literal('json').describe('a JSON HTTP API described by templates (12345 / 数字城管 platforms)'),
  url: templated(httpUrl('case_api.url')).describe('Where a case is created (may hold `{{field}}` placeholders).'),
  method: z.enum(['POST', 'PUT']).default('POST').describe('HTTP method of the create call'),
  headers: templated(z.record(z.string(), z.string())).default({}).describe('extra request headers (may hold `{{field}}` placeholders, e.g. an authorization token from ${VAR})'),
  categories: z.strictObject({ illegal_parking: categorySchema.describe('codes of illegal-parking cases'), bin_overflow: categorySchema.describe('codes of overflowing-bin cases') }).describe('Category codes per incident category.'),
  areas: z.record(z.string(), areaSchema).default({}).describe('Grid and street per camera id (fields `grid` and `street` in templates).'),
  body: templated(jsonTemplate).describe('The request body: any JSON; `"{{field}}"` alone keeps the field\'s type (numbers, arrays), inside text it is interpolated.'),
  case_id_path: responsePath.describe('Where the case id is in the response body.'),
  lookup: z.strictObject({ url: templated(httpUrl('case_api.lookup.url')).describe('the GET that finds an existing case (may hold `{{field}}` placeholders)'), case_id_path: responsePath.describe('where the case id is in its response, when there is one') }).optional().describe('How to find a case weisu may already have created (after a timeout): a GET whose response holds the case id at `case_id_path` when it exists. Without it, an ambiguous failure is dead-lettered for an operator instead of risking a second case.'),
  status: z
    .strictObject({
      url: templated(httpUrl('case_api.status.url')).describe('the GET that returns a case (`{{case_id}}` placeholder)'),
      status_path: responsePath.describe('where the status is in its response'),
      closed: z.array(z.string()).min(1).default(['closed', '已办结', '已结案']).describe('status values that mean the case is closed'),
    })
    .optional()
    .describe('How to read a case\'s status: a GET returning the status at `status_path`; values in `closed` mean closed.'),
  reopen: z
    .strictObject({
      url: templated(httpUrl('case_api.reopen.url')).describe('where the case is sent back (`{{case_id}}` placeholder)'),
      method: z.enum(['POST', 'PUT', 'PATCH']).default('POST').describe('HTTP method of the reopen call'),
      body: templated(jsonTemplate).describe('the request body, as for `body`'),
    })
    .optional()
    .describe('How to send a case back when the city closed it but the camera still sees the problem (closed_not_fixed): a call with `{{case_id}}` and `{{reason}}`. Without it, operators are told only.'),
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
  id: z.string().regex(/^[a-z0-9-]+$/, 'webhook id must use only a-z, 0-9 and -').describe('unique id of the webhook: a-z, 0-9 and -'),
  url: httpUrl('webhook url').describe('where events are POSTed'),
  secret: z.string().min(16, 'webhook secret must be at least 16 characters').describe('HMAC-SHA256 key; the receiver checks `X-Weisu-Signature` with it.'),
  events: z
    .array(z.enum(['ticket.filed', 'ticket.dead', 'ticket.overdue', 'incident.cleared', 'incident.verified', 'incident.closed_not_fixed', 'camera.view_changed', 'camera.view_restored']))
    .optional()
    .describe('Which events it receives; all crew events when unset. camera.view_changed / camera.view_restored: a camera stopped or resumed showing the view its zones were drawn on (docs/moving-cameras.md).'),
  cameras: z.array(z.string()).optional().describe('Only incidents and view changes of these cameras (all when unset).'),
});

export const alertsSchema = z.strictObject({
  modes: z
    .strictObject({ no_parking: modeSchema.default('auto').describe('mode of illegal-parking incidents'), bin_overflow: modeSchema.default('auto').describe('mode of overflowing-bin incidents') })
    .prefault({})
    .describe('Per incident kind: auto files at once, review waits for an operator, shadow only records (to measure precision).'),
  mode_overrides: z
    .array(
      z.strictObject({
        camera: z.string().min(1).describe('camera id'),
        zone: z.string().min(1).optional().describe('zone id; every zone of the camera when unset'),
        mode: modeSchema.describe('auto, review or shadow'),
      }),
    )
    .default([])
    .describe('Exceptions to `modes`, first match wins: e.g. a newly drawn zone kept in shadow while its precision is measured.'),
  signing_secret: z.string().min(32, 'alerts.signing_secret must be at least 32 characters').optional().describe('Signs evidence URLs and lets them expire. Unset: a random key kept in `<data_dir>/evidence/.signing_key`.'),
  evidence: z
    .strictObject({
      url_ttl: durationField('alerts.evidence.url_ttl').prefault('90d').describe('How long an evidence URL keeps working (the case system and crews fetch it later).'),
      max_bytes: z.number().int().min(50_000).default(2_000_000).describe('Largest JPEG stored; bigger renders are re-encoded smaller, then scaled down.'),
      max_images: z.number().int().min(1).max(10).default(4).describe('Most images kept per incident.'),
      quality: z.number().int().min(40).max(100).default(85).describe('JPEG quality of stored evidence, 40..100'),
      keep: durationField('alerts.evidence.keep').prefault('180d').describe('Pictures of finished (or never filed) incidents are deleted after this long; the record of them stays.'),
      blur_people: z.boolean().default(true).describe('Blur people other than the subject (privacy by default).'),
    })
    .prefault({})
    .describe('Evidence pictures: how they are stored, served and kept.'),
  outbox: z
    .strictObject({
      attempts: z.number().int().min(1).max(100).default(10).describe('Attempts before a ticket is dead-lettered for an operator.'),
      base_delay: durationField('alerts.outbox.base_delay').prefault('5s').describe('First retry delay; doubles each attempt, with jitter, up to max_delay.'),
      max_delay: durationField('alerts.outbox.max_delay').prefault('30m').describe('the longest retry delay'),
      poll: durationField('alerts.outbox.poll').prefault('1s').describe('How often the sender looks for due tickets and webhooks.'),
      concurrency: z.number().int().min(1).max(64).default(4).describe('Calls in flight at once.'),
    })
    .prefault({})
    .describe('Delivery of tickets and webhooks from the store\'s outbox: retries and pace.'),
  webhooks: z.array(webhookSchema).default([]).describe('Crews\' webhooks.'),
  oversight: z
    .strictObject({
      url: httpUrl('alerts.oversight.url').describe('where audit entries are POSTed'),
      secret: z.string().min(16, 'alerts.oversight.secret must be at least 16 characters').describe('HMAC-SHA256 key signing each delivery (at least 16 characters)'),
    }).optional().describe('Receives a copy of every audit entry (archive / dispatch / oversight).'),
  status_poll: durationField('alerts.status_poll').prefault('5m').describe('Status polling and the re-check after close (回头看).'),
  sla: z
    .strictObject({
      no_parking: durationField('alerts.sla.no_parking').prefault('30m').describe('time to fix an illegal-parking ticket'),
      bin_overflow: durationField('alerts.sla.bin_overflow').prefault('4h').describe('time to fix an overflowing-bin ticket'),
    })
    .prefault({})
    .describe('Time to fix per kind; a filed ticket open longer (or past the case system\'s expected_datetime) raises a reminder (催办).'),
  remind_every: durationField('alerts.remind_every').prefault('1h').describe('Gap between reminders for one overdue ticket.'),
  map_link: z.string().includes('{lat}', { message: 'alerts.map_link needs {lat} and {lon}' }).includes('{lon}', { message: 'alerts.map_link needs {lat} and {lon}' }).default('https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=19/{lat}/{lon}').describe('Map link sent to crews; `{lat}` and `{lon}` are replaced.'),
});

export type AlertsConfig = z.output<typeof alertsSchema>;
export type WebhookConfig = z.output<typeof webhookSchema>;
