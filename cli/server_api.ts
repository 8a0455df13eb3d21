import { WeisuError } from '../core/errors.js';

/**
 * A CLI command done through a running `weisu serve`'s API instead of the store: the way to change
 * the embedded store while the server owns it (store/lock.ts), and to work on a remote weisu.
 */
export interface ServerTarget {
  server: string;
  token: string | undefined;
}

/** The problem document's parts a person needs (api/problem.ts). */
interface ProblemBody {
  detail?: string;
  field?: string;
  fix?: string;
  errors?: { row?: number; line?: number; field: string; message: string }[];
}

export class ServerRefused extends WeisuError {
  constructor(
    readonly status: number,
    readonly body: ProblemBody,
  ) {
    super('server_refused', `the server answered ${status}: ${body.detail ?? 'no detail'}`, { field: body.field, fix: body.fix });
  }
}

const TOKEN_FIX =
  'pass --token or set WEISU_TOKEN: an admin API token (log in with POST /api/v1/auth/login; the first admin password is in <data_dir>/admin-password.txt)';

/** Calls `method path` (under /api/v1/) as the token's user; returns the JSON answer, throws ServerRefused. */
export async function callServer<T>(target: ServerTarget, method: string, path: string, body?: unknown): Promise<T> {
  if (!target.token) throw new WeisuError('bad_flag', `working through the server at ${target.server} needs a token`, { field: '--token', fix: TOKEN_FIX });
  const url = new URL(`api/v1/${path}`, target.server.endsWith('/') ? target.server : `${target.server}/`);
  const headers: Record<string, string> = { authorization: `Bearer ${target.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new WeisuError('server_unreachable', `cannot reach ${url.origin}: ${(e as Error).message}`, { field: '--server', fix: 'give the URL weisu serve listens on, e.g. http://127.0.0.1:8080' });
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) throw new ServerRefused(res.status, (json ?? {}) as ProblemBody);
  return json as T;
}
