import { post, setSession } from './api/client.js';
import type { Role, Session } from './api/types.js';

/**
 * The operator's login, kept in sessionStorage (a closed tab logs out; a reload does not).
 * What each role may do mirrors the API's checks, only to hide buttons that would be refused anyway.
 */

const KEY = 'weisu.session';

export function loadSession(): Session | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    if (!s || Date.parse(s.expires_at) <= Date.now()) return null;
    setSession(s);
    return s;
  } catch {
    return null;
  }
}

export async function login(username: string, password: string): Promise<Session> {
  const res = await post<{ token: string; role: Role; expires_at: string }>('auth/login', { username, password });
  const s: Session = { ...res, username };
  sessionStorage.setItem(KEY, JSON.stringify(s));
  setSession(s);
  return s;
}

/** Drops the session here only (the server already refused the token). */
export function forget(): void {
  sessionStorage.removeItem(KEY);
  setSession(null);
}

/** Revokes the token on the server too (best effort: an expired one is already useless). */
export function logout(): void {
  void post('auth/logout').catch(() => undefined);
  forget();
}

const can = {
  editCameras: ['admin', 'integrator'],
  editZones: ['admin', 'operator', 'integrator'],
  review: ['admin', 'operator'],
  calibrate: ['admin', 'operator'],
  seeIncidents: ['admin', 'operator', 'viewer'],
} satisfies Record<string, Role[]>;

export type Permission = keyof typeof can;

export function allowed(s: Session | null, what: Permission): boolean {
  return !!s && (can[what] as Role[]).includes(s.role);
}
