import { z } from 'zod';

const httpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `${what} must be an http:// or https:// URL` });

export const open311Schema = z.strictObject({
  kind: z.literal('open311'),
  /** Base of the GeoReport v2 API; requests go to `{endpoint}requests.json`. */
  endpoint: httpUrl('case_api.endpoint').transform((u) => (u.endsWith('/') ? u : `${u}/`)),
  api_key: z.string().min(1, 'case_api.api_key is empty: set it, e.g. api_key: ${OPEN311_API_KEY}'),
  jurisdiction_id: z.string().optional(),
  /** Service code per incident category, as published by the city's `services.json`. */
  service_codes: z.strictObject({
    illegal_parking: z.string().min(1),
    bin_overflow: z.string().min(1),
  }),
});

export const caseApiSchema = z.discriminatedUnion('kind', [open311Schema]);

export type CaseApiConfig = z.output<typeof caseApiSchema>;
export type Open311Config = z.output<typeof open311Schema>;

/** Alerts settings (top-level `alerts:`): modes, evidence, webhooks, SLAs. */
export const alertsSchema = z.strictObject({});
