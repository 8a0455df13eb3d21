import { z } from 'zod';
import { durationField } from '../core/duration.js';

/** A request budget per client over a window. */
const rateLimitSchema = (max: number, window: string) =>
  z.strictObject({
    max: z.number().int().min(1).default(max),
    window: durationField('rate limit window').prefault(window),
  });

/** The HTTP server (`server:` in the config): API, console, evidence. */
export const serverSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (for rate limits and logs). */
  trust_proxy: z.boolean().default(false),
  /**
   * Browser origins allowed to call the API from another site. Empty (the default) means CORS is off:
   * only the console served by weisu itself, and non-browser clients, can call it.
   */
  cors_origins: z
    .array(z.url({ protocol: /^https?$/, error: 'each CORS origin must be an http(s) origin, e.g. https://ops.example.org' }))
    .default([]),
  auth: z
    .strictObject({
      /** How long a console login stays valid. */
      session_ttl: durationField('server.auth.session_ttl').prefault('12h'),
      /** Login attempts per client address (wrong passwords included) before 429. */
      login_rate_limit: rateLimitSchema(10, '1m').prefault({}),
      /** Let Prometheus scrape /metrics without a token (only on a trusted network). */
      public_metrics: z.boolean().default(false),
    })
    .prefault({}),
  /** Requests per token (or client address when anonymous) across the whole API. */
  rate_limit: rateLimitSchema(1200, '1m').prefault({}),
  /** Camera probes per token: each one runs ffmpeg against the camera for a few seconds. */
  probe_rate_limit: rateLimitSchema(10, '1m').prefault({}),
});

export type ServerConfig = z.output<typeof serverSchema>;
