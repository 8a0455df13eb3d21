import { z } from 'zod';
import { durationField } from '../core/duration.js';

/** A request budget per client over a window. */
const rateLimitSchema = (max: number, window: string) =>
  z.strictObject({
    max: z.number().int().min(1).default(max).describe('requests allowed per window'),
    window: durationField('rate limit window').prefault(window).describe('length of the window, e.g. 1m'),
  });

/** The HTTP server (`server:` in the config): API, console, evidence. */
export const serverSchema = z.strictObject({
  host: z.string().default('127.0.0.1').describe('address the HTTP server listens on (0.0.0.0 for every interface)'),
  port: z.number().int().min(0).max(65535).default(8080).describe('TCP port of the API, console and evidence (0: any free port)'),
  trust_proxy: z
    .union([z.boolean(), z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: 'each trusted proxy must be an IP address or CIDR, e.g. 10.0.0.0/8' })).min(1)])
    .default(false)
    .describe('Whose X-Forwarded-For to believe for the client address (rate limits, audit, logs). false (the default): none, the address is the TCP peer\'s. A list: only proxies at these addresses or CIDRs (e.g. ["127.0.0.1", "10.0.0.0/8"]) — the right choice behind a reverse proxy. true: any peer, which lets every caller choose its own address and so escape the per-address limits: only when nothing but the proxy can reach weisu.'),
  cors_origins: z
    .array(z.url({ protocol: /^https?$/, error: 'each CORS origin must be an http(s) origin, e.g. https://ops.example.org' }))
    .default([])
    .describe('Browser origins allowed to call the API from another site. Empty (the default) means CORS is off: only the console served by weisu itself, and non-browser clients, can call it.'),
  auth: z
    .strictObject({
      session_ttl: durationField('server.auth.session_ttl').prefault('12h').describe('How long a console login stays valid.'),
      login_rate_limit: rateLimitSchema(10, '1m').prefault({}).describe('Login attempts per client address (wrong passwords included) before 429; a token sent along changes nothing.'),
      login_backoff: z
        .strictObject({
          free_failures: z.number().int().min(0).max(100).default(3).describe('failed logins in a row a username may have before any delay'),
          base_delay: durationField('server.auth.login_backoff.base_delay').prefault('1s').describe('the first delay after the free failures'),
          max_delay: durationField('server.auth.login_backoff.max_delay').prefault('5m').describe('the longest delay'),
          forget_after: durationField('server.auth.login_backoff.forget_after').prefault('1h').describe('a username without failures for this long starts afresh'),
        })
        .prefault({})
        .describe('Growing delay per username after failed logins, whoever sends them: after `free_failures` in a row, each further failure doubles the wait before that username may be tried again, from `base_delay` up to `max_delay`; unknown usernames are treated exactly like known ones. A success or `forget_after` without failures clears the count.'),
      public_metrics: z.boolean().default(false).describe('Let Prometheus scrape /metrics without a token (only on a trusted network).'),
    })
    .prefault({})
    .describe('Console logins and API tokens.'),
  rate_limit: rateLimitSchema(1200, '1m').prefault({}).describe('Requests per verified token across the whole API; callers without a valid token (anonymous, or a token that is wrong, expired or revoked) count against their client address (IPv6: its /64).'),
  probe_rate_limit: rateLimitSchema(10, '1m').prefault({}).describe('Camera probes per verified token: each one runs ffmpeg against the camera for a few seconds.'),
});

export type ServerConfig = z.output<typeof serverSchema>;
