import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A strict Open311 GeoReport v2 server (https://wiki.open311.org/GeoReport_v2) standing in for a city's
 * case system, with fault injection. Strict means it refuses what a real server may refuse: a body that
 * is not form-encoded, a wrong api_key, an unknown service_code, a missing location, a description over
 * 4000 characters or with markup, an unknown field, a missing required attribute — always with the spec's
 * error array `[{"code":400,"description":"…"}]`.
 */

export interface StoredRequest {
  service_request_id: string;
  token: string;
  service_code: string;
  description: string;
  lat: number;
  long: number;
  address: string;
  media_url: string;
  attributes: Record<string, string>;
  status: 'open' | 'closed';
  status_notes?: string;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime?: string;
  /** When the token starts resolving to the id. */
  tokenReadyAt: number;
  form: Record<string, string>;
}

/**
 * What happens to one POST:
 * - ok: stored, id returned. token: stored, only a token returned (resolved after `tokenDelayMs`).
 * - error_500: refused with 500, not stored. error_500_after: stored, then 500.
 * - timeout_before: never answered, not stored. timeout_after: stored, never answered.
 * - reset_after: stored, then the connection is cut. malformed_after: stored, 200 with broken JSON.
 * - slow: stored, answered after `slowMs`.
 */
export type PostFault = 'ok' | 'token' | 'error_500' | 'error_500_after' | 'timeout_before' | 'timeout_after' | 'reset_after' | 'malformed_after' | 'slow';
/** What happens to one GET: ok, error_500, or timeout (never answered). */
export type GetFault = 'ok' | 'error_500' | 'timeout';

export interface Open311ServerOptions {
  apiKey: string;
  serviceCodes: string[];
  jurisdictionId?: string;
  /** attribute codes every request must carry (as a service definition's required attributes). */
  requiredAttributes?: string[];
  postFault?: (n: number) => PostFault;
  getFault?: (path: string) => GetFault;
  slowMs?: number;
  tokenDelayMs?: number;
}

const ALLOWED_FIELDS = new Set([
  'api_key', 'jurisdiction_id', 'service_code', 'lat', 'long', 'address_string', 'address_id', 'email', 'device_id',
  'account_id', 'first_name', 'last_name', 'phone', 'description', 'media_url',
]);

export class Open311Server {
  readonly requests: StoredRequest[] = [];
  /** Every POST received, including refused and faulted ones. */
  posts = 0;
  gets = 0;
  readonly faultsApplied: Record<string, number> = {};
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private nextId = 1000;
  endpoint = '';

  constructor(private readonly opts: Open311ServerOptions) {}

  /** Listens on `port` (0: any free one; give the old port to bring a stopped server back). */
  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((e: unknown) => this.json(res, 500, [{ code: 500, description: (e as Error).message }]));
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v2/`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Fills the server with `n` requests filed by others (a busy city). */
  seed(n: number, serviceCode: string): void {
    for (let i = 0; i < n; i++) this.store({ service_code: serviceCode, description: `reported by a resident #${i}` }, {}, 40.1, 124.3);
  }

  /** The case system closes a request (a crew marked it done). */
  closeRequest(id: string, notes = 'handled'): void {
    const r = this.requests.find((x) => x.service_request_id === id);
    if (!r) throw new Error(`no request ${id}`);
    r.status = 'closed';
    r.status_notes = notes;
    r.updated_datetime = new Date().toISOString();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (!path.startsWith('/v2/')) return this.error(res, 404, `no such path ${path}`);
    const rest = path.slice(4);
    if (req.method === 'POST' && rest === 'requests.json') return this.post(req, res);
    if (req.method !== 'GET') return this.error(res, 405, `${req.method} is not allowed on ${path}`);
    this.gets += 1;
    const fault = this.opts.getFault?.(rest) ?? 'ok';
    this.count(`get_${fault}`);
    if (fault === 'timeout') return; // hold the socket until the client gives up
    if (fault === 'error_500') return this.error(res, 500, 'database unavailable');
    const jurisdiction = this.checkJurisdiction(url.searchParams.get('jurisdiction_id') ?? undefined);
    if (jurisdiction) return this.error(res, 400, jurisdiction);
    if (rest === 'services.json') return this.json(res, 200, this.opts.serviceCodes.map((c) => ({ service_code: c, service_name: c, metadata: true, type: 'realtime' })));
    if (rest === 'requests.json') return this.list(url, res);
    let m = /^requests\/([^/]+)\.json$/.exec(rest);
    if (m) {
      const r = this.requests.find((x) => x.service_request_id === decodeURIComponent(m![1]!));
      return r ? this.json(res, 200, [this.view(r)]) : this.error(res, 404, `service request ${m[1]} not found`);
    }
    m = /^tokens\/([^/]+)\.json$/.exec(rest);
    if (m) {
      const r = this.requests.find((x) => x.token === decodeURIComponent(m![1]!));
      if (!r) return this.error(res, 404, `token ${m[1]} not found`);
      return this.json(res, 200, [Date.now() >= r.tokenReadyAt ? { token: r.token, service_request_id: r.service_request_id } : { token: r.token }]);
    }
    return this.error(res, 404, `no such path ${path}`);
  }

  private async post(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const n = this.posts++;
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const raw = await readBody(req);
    if (type !== 'application/x-www-form-urlencoded') return this.error(res, 400, `content-type must be application/x-www-form-urlencoded, got "${type}"`);
    const params = new URLSearchParams(raw);
    const form: Record<string, string> = {};
    const attributes: Record<string, string> = {};
    for (const [k, v] of params) {
      if (k in form || k in attributes) return this.error(res, 400, `field ${k} given twice`);
      const attr = /^attribute\[([^\]]+)\]$/.exec(k);
      if (attr) attributes[attr[1]!] = v;
      else if (ALLOWED_FIELDS.has(k)) form[k] = v;
      else return this.error(res, 400, `unknown field ${k}`);
    }
    // Echoes what it got, as careless servers do: weisu must keep the key out of its own records.
    if (form.api_key !== this.opts.apiKey) return this.error(res, 403, `Invalid api_key ${form.api_key ?? ''}`.trim());
    const jurisdiction = this.checkJurisdiction(form.jurisdiction_id);
    if (jurisdiction) return this.error(res, 400, jurisdiction);
    if (!form.service_code) return this.error(res, 400, 'service_code was not provided');
    if (!this.opts.serviceCodes.includes(form.service_code)) return this.error(res, 404, `service_code ${form.service_code} not found`);
    const hasLatLong = form.lat !== undefined && form.long !== undefined;
    if (!hasLatLong && !form.address_string && !form.address_id) return this.error(res, 400, 'a location is required: lat & long, address_string or address_id');
    const lat = Number(form.lat);
    const long = Number(form.long);
    if (hasLatLong && (!Number.isFinite(lat) || lat < -90 || lat > 90 || !Number.isFinite(long) || long < -180 || long > 180)) {
      return this.error(res, 400, 'lat and long must be WGS84 decimal degrees');
    }
    const description = form.description ?? '';
    if (description.length > 4000) return this.error(res, 400, 'description must be at most 4000 characters');
    if (/<[a-z/!]/i.test(description)) return this.error(res, 400, 'description must be plain text (no HTML)');
    if (form.media_url !== undefined && !/^https?:\/\/\S+$/.test(form.media_url)) return this.error(res, 400, 'media_url must be a URL');
    for (const a of this.opts.requiredAttributes ?? []) {
      if (!attributes[a]) return this.error(res, 400, `attribute[${a}] is required for this service`);
    }

    const fault = this.opts.postFault?.(n) ?? 'ok';
    this.count(fault);
    if (fault === 'error_500') return this.error(res, 500, 'internal server error');
    if (fault === 'timeout_before') return; // never answered, nothing stored
    const stored = this.store(form, attributes, lat, long);
    if (fault === 'timeout_after') return;
    if (fault === 'reset_after') {
      req.socket.destroy();
      return;
    }
    if (fault === 'error_500_after') return this.error(res, 500, 'internal server error');
    if (fault === 'malformed_after') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`[{"service_request_id": "${stored.service_request_id}", "service_notice": `);
      return;
    }
    if (fault === 'slow') await new Promise((r) => setTimeout(r, this.opts.slowMs ?? 100));
    if (fault === 'token') return this.json(res, 200, [{ token: stored.token }]);
    return this.json(res, 200, [{ service_request_id: stored.service_request_id, service_notice: '', account_id: null }]);
  }

  private store(form: Record<string, string>, attributes: Record<string, string>, lat: number, long: number): StoredRequest {
    const now = new Date().toISOString();
    const id = String(this.nextId++);
    const r: StoredRequest = {
      service_request_id: id,
      token: `tok-${id}-${Math.random().toString(36).slice(2, 10)}`,
      service_code: form.service_code!,
      description: form.description ?? '',
      lat,
      long,
      address: form.address_string ?? '',
      media_url: form.media_url ?? '',
      attributes,
      status: 'open',
      requested_datetime: now,
      updated_datetime: now,
      tokenReadyAt: Date.now() + (this.opts.tokenDelayMs ?? 0),
      form,
    };
    this.requests.push(r);
    return r;
  }

  private list(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    for (const k of q.keys()) {
      if (!['jurisdiction_id', 'service_request_id', 'service_code', 'start_date', 'end_date', 'status'].includes(k)) return this.error(res, 400, `unknown parameter ${k}`);
    }
    const date = (k: string) => {
      const v = q.get(k);
      if (v === null) return undefined;
      const t = Date.parse(v);
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v) || Number.isNaN(t)) throw new Error(`${k} must be ISO 8601, got ${v}`);
      return t;
    };
    let start: number | undefined;
    let end: number | undefined;
    try {
      start = date('start_date');
      end = date('end_date');
    } catch (e) {
      return this.error(res, 400, (e as Error).message);
    }
    const ids = q.get('service_request_id')?.split(',');
    const codes = q.get('service_code')?.split(',');
    const status = q.get('status')?.split(',');
    // Spec default: the last 90 days; at most 1000 results.
    const from = start ?? Date.now() - 90 * 86_400_000;
    const found = this.requests.filter((r) => {
      const t = Date.parse(r.requested_datetime);
      return (!ids || ids.includes(r.service_request_id)) && (!codes || codes.includes(r.service_code)) && (!status || status.includes(r.status)) && t >= from && (end === undefined || t <= end);
    });
    this.json(res, 200, found.slice(0, 1000).map((r) => this.view(r)));
  }

  private view(r: StoredRequest) {
    return {
      service_request_id: r.service_request_id,
      status: r.status,
      status_notes: r.status_notes ?? null,
      service_name: r.service_code,
      service_code: r.service_code,
      description: r.description,
      agency_responsible: 'city',
      service_notice: null,
      requested_datetime: r.requested_datetime,
      updated_datetime: r.updated_datetime,
      expected_datetime: r.expected_datetime ?? null,
      address: r.address,
      address_id: null,
      zipcode: null,
      lat: r.lat,
      long: r.long,
      media_url: r.media_url,
    };
  }

  private checkJurisdiction(given: string | undefined): string | undefined {
    if (this.opts.jurisdictionId && given !== this.opts.jurisdictionId) return `jurisdiction_id must be ${this.opts.jurisdictionId}`;
    return undefined;
  }

  private count(what: string): void {
    this.faultsApplied[what] = (this.faultsApplied[what] ?? 0) + 1;
  }

  private error(res: ServerResponse, code: number, description: string): void {
    this.json(res, code, [{ code, description }]);
  }

  private json(res: ServerResponse, code: number, body: unknown): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(code, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
