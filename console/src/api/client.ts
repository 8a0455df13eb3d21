import type { FieldIssue, Page, Problem, Session } from './types.js';

/**
 * The console's only way to the server: JSON over /api/v1 with the session's Bearer token.
 * Errors arrive as RFC 9457 problem+json; they become ApiError, which keeps the field names so a
 * form can put each message next to the input it is about.
 */

export const API_BASE = new URL('api/v1/', document.baseURI).pathname;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    /** Every field at fault, all at once (the problem's `errors`). */
    readonly fields: FieldIssue[],
    /** The problem's code (one of a closed set); undefined when the answer was not a problem (a proxy's page, no network). */
    readonly code?: Problem['code'],
    readonly fix?: string,
  ) {
    super(detail || title || `HTTP ${status}`);
  }

  /** The issues about one form field, each once (an issue the server repeated is shown once). */
  forField(name: string): FieldIssue[] {
    const seen = new Set<string>();
    return this.fields.filter((f) => isAbout(f.field, name) && !seen.has(f.message) && seen.add(f.message));
  }
}

/** Whether an issue's field path is about a form field: `dwell` takes `dwell` and `zones[0].dwell`; `location` takes `location.lat`; `schedule` takes `schedule.windows[1]`. */
export function isAbout(path: string, name: string): boolean {
  return path === name || path.endsWith(`.${name}`) || path.startsWith(`${name}.`) || path.startsWith(`${name}[`);
}

let session: Session | null = null;
let onUnauthorized: () => void = () => undefined;

export function setSession(s: Session | null): void {
  session = s;
}

export function whenUnauthorized(fn: () => void): void {
  onUnauthorized = fn;
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  return session ? { authorization: `Bearer ${session.token}`, ...extra } : extra;
}

/** Every error weisu answers is one problem+json shape (api/problem.ts); anything else keeps only its status. */
async function toError(res: Response): Promise<ApiError> {
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      const p = (await res.json()) as Problem;
      return new ApiError(res.status, p.title, p.detail, p.errors ?? [], p.code, p.fix);
    } catch {
      // A body cut short: the status line is all there is.
    }
  }
  return new ApiError(res.status, res.statusText, res.statusText, []);
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }) };
  if (body !== undefined) init.body = JSON.stringify(body);
  let res: Response;
  try {
    res = await fetch(API_BASE + path.replace(/^\//, ''), init);
  } catch (e) {
    throw new ApiError(0, 'network', (e as Error).message, []);
  }
  if (res.status === 401 && session) onUnauthorized();
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, body);
export const del = (path: string) => request<void>('DELETE', path);

/** A query string from the set values only. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** One page of a list route. */
export function page<T>(path: string, params: Record<string, string | number | undefined | null> = {}): Promise<Page<T>> {
  return get<Page<T>>(path + qs(params));
}

/** Every page of a list route, up to `max` items (the console never needs more in one view). */
export async function all<T>(path: string, params: Record<string, string | number | undefined | null> = {}, max = 2000): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const p: Page<T> = await page<T>(path, { limit: 500, ...params, cursor });
    out.push(...p.items);
    cursor = p.next_cursor;
  } while (cursor && out.length < max);
  return out;
}

/**
 * An image behind the API's auth (snapshots need the Bearer token, which <img> cannot send), as an
 * object URL. Signed or absolute URLs from elsewhere (evidence) are fetched the same way so both work.
 * The caller revokes the URL when it is replaced.
 */
export async function imageUrl(path: string): Promise<string> {
  const url = /^(https?:)?\//.test(path) ? path : API_BASE + path.replace(/^\//, '');
  const sameOrigin = new URL(url, location.href).origin === location.origin;
  const res = await fetch(url, { headers: sameOrigin ? headers() : {} });
  if (res.status === 401 && session) onUnauthorized();
  if (!res.ok) throw await toError(res);
  return URL.createObjectURL(await res.blob());
}
