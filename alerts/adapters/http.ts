import { CaseCallError } from './types.js';

/** Error codes that mean the request never left this machine. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export interface HttpAnswer {
  status: number;
  text: string;
}

/**
 * One HTTP call with a deadline, failures sorted into not_sent / ambiguous (see CaseCallError).
 * Never puts the URL's query (it may hold an api key) into an error.
 */
export async function call(url: string, init: RequestInit & { timeoutMs: number }): Promise<HttpAnswer> {
  const where = `${init.method ?? 'GET'} ${url.replace(/\?.*$/, '')}`;
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      throw new CaseCallError('ambiguous', `${where}: no answer within ${init.timeoutMs} ms`, e);
    }
    const code = err.cause?.code;
    if (code && NOT_SENT.has(code)) throw new CaseCallError('not_sent', `${where}: ${code}`, e);
    throw new CaseCallError('ambiguous', `${where}: ${code ?? err.message}`, e);
  }
  try {
    return { status: res.status, text: await res.text() };
  } catch (e) {
    throw new CaseCallError('ambiguous', `${where}: answer cut off (${(e as Error).message})`, e);
  }
}

/** Sorts a non-2xx status: 408/429/5xx may have been processed or are worth retrying; other 4xx are refusals. */
export function failureOfStatus(status: number): 'ambiguous' | 'rejected' {
  return status === 408 || status === 429 || status >= 500 ? 'ambiguous' : 'rejected';
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** One line of an answer's body, cut to 200 characters, for an error message. */
export function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one || '(empty body)';
}
