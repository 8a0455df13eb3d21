import type { Open311Config } from '../schema.js';
import { refMarker, type CaseRequest } from '../case_request.js';
import { call, clip, failureOfStatus, parseJson, type HttpAnswer } from './http.js';
import { CaseCallError, type CaseAdapter, type CaseStatus, type Filed } from './types.js';

/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): form-encoded POST requests.json,
 * answers are arrays; errors are arrays of {code, description}. weisu finds its own requests again
 * through the reference marker in the description (GET requests.json has no other field it echoes).
 */
/** GeoReport v2 servers return at most this many requests per query. */
const LIST_CAP = 1000;

export function open311Adapter(cfg: Open311Config): CaseAdapter {
  const url = (path: string, q: Record<string, string> = {}) => {
    const params = new URLSearchParams(q);
    if (cfg.jurisdiction_id) params.set('jurisdiction_id', cfg.jurisdiction_id);
    const qs = params.toString();
    return `${cfg.endpoint}${path}${qs ? `?${qs}` : ''}`;
  };
  const timeoutMs = cfg.timeout;
  const serviceCode = (req: CaseRequest) => cfg.service_codes[req.category];

  async function getArray(path: string, q: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
    const answer = await call(url(path, q), { method: 'GET', headers: { accept: 'application/json' }, timeoutMs });
    return arrayAnswer(answer, `GET ${path}`);
  }

  return {
    kind: 'open311',

    async file(req) {
      const form = new URLSearchParams();
      form.set('api_key', cfg.api_key);
      if (cfg.jurisdiction_id) form.set('jurisdiction_id', cfg.jurisdiction_id);
      form.set('service_code', serviceCode(req));
      form.set('lat', req.lat.toFixed(7));
      form.set('long', req.lon.toFixed(7));
      form.set('address_string', req.address);
      form.set('description', req.description);
      if (req.mediaUrl) form.set('media_url', req.mediaUrl);
      for (const [code, value] of Object.entries(cfg.attributes)) form.set(`attribute[${code}]`, value);
      const answer = await call(`${cfg.endpoint}requests.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
        body: form.toString(),
        timeoutMs,
      });
      const first = arrayAnswer(answer, 'POST requests.json')[0];
      const filed = first && filedOf(first);
      if (!filed) throw new CaseCallError('ambiguous', `POST requests.json answered ${answer.status} without service_request_id or token: ${clip(answer.text)}`);
      return filed;
    },

    async lookup(req) {
      // Any earlier attempt was posted between the first post and now; an hour either side covers clock skew.
      const skew = 3_600_000;
      const since = req.postedSince.getTime();
      const found = await getArray('requests.json', {
        service_code: serviceCode(req),
        start_date: iso(since - skew),
        end_date: iso(Math.max(Date.now(), since) + skew),
      });
      const mine = found.find((r) => typeof r.description === 'string' && r.description.includes(refMarker(req.ref)));
      if (mine) return filedOf(mine) ?? null;
      // A full page (the spec's cap is 1000) may have left ours out: absence is not proven, so do not post again.
      if (found.length >= LIST_CAP) throw new CaseCallError('ambiguous', `look-up found ${found.length} requests in its window, the most a server returns: cannot tell whether ${req.ref} is among the rest`);
      return null;
    },

    async resolveToken(token) {
      const [first] = await getArray(`tokens/${encodeURIComponent(token)}.json`);
      const id = first?.service_request_id;
      return id === undefined || id === null || id === '' ? undefined : String(id);
    },

    async check() {
      const services = await getArray('services.json');
      const known = new Set(services.map((s) => String(s.service_code)));
      return Object.entries(cfg.service_codes)
        .filter(([, code]) => !known.has(code))
        .map(([category, code]) => ({
          field: `case_api.service_codes.${category}`,
          message: `"${code}" is not among the city's services (${[...known].join(', ') || 'none listed'}): copy the right code from ${cfg.endpoint}services.json`,
        }));
    },

    async status(requestId): Promise<CaseStatus> {
      const [first] = await getArray(`requests/${encodeURIComponent(requestId)}.json`);
      if (!first) throw new CaseCallError('ambiguous', `GET requests/${requestId}.json answered an empty array`);
      const expected = typeof first.expected_datetime === 'string' ? new Date(first.expected_datetime) : undefined;
      return {
        status: first.status === 'closed' ? 'closed' : 'open',
        notes: typeof first.status_notes === 'string' ? first.status_notes : undefined,
        expectedAt: expected && !Number.isNaN(expected.getTime()) ? expected : undefined,
      };
    },
  };
}

function filedOf(r: Record<string, unknown>): Filed | undefined {
  const id = r.service_request_id;
  const token = r.token;
  const requestId = id === undefined || id === null || id === '' ? undefined : String(id);
  const tok = typeof token === 'string' && token ? token : undefined;
  if (!requestId && !tok) return undefined;
  return { requestId, token: tok, notice: typeof r.service_notice === 'string' ? r.service_notice : undefined };
}

/** The array a GeoReport v2 answer must be; the spec's error arrays become one clear message. */
function arrayAnswer(answer: HttpAnswer, what: string): Record<string, unknown>[] {
  const body = parseJson(answer.text);
  if (answer.status < 200 || answer.status >= 300) {
    const errors = Array.isArray(body) ? body.filter((e): e is { code?: unknown; description?: unknown } => !!e && typeof e === 'object') : [];
    const text = errors.length
      ? errors.map((e) => `${String(e.code ?? answer.status)}: ${String(e.description ?? '')}`).join('; ')
      : clip(answer.text);
    throw new CaseCallError(failureOfStatus(answer.status), `${what} answered ${answer.status} — ${text}`);
  }
  if (Array.isArray(body)) return body.filter((r): r is Record<string, unknown> => !!r && typeof r === 'object');
  // Some servers answer a bare object; accept it rather than dropping a request that was taken.
  if (body && typeof body === 'object') return [body as Record<string, unknown>];
  throw new CaseCallError('ambiguous', `${what} answered ${answer.status} with unreadable JSON: ${clip(answer.text)}`);
}

/** ISO 8601 without milliseconds, as GeoReport v2 examples write dates. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
