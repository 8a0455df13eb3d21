import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routing (#/cameras/jinjiang-north): the server needs no fallback route for deep links, and a
 * reload keeps the operator on the page they were on.
 */

export interface Route {
  /** Path segments after `#/`, decoded. */
  parts: string[];
  query: URLSearchParams;
}

function current(): Route {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path = '', q = ''] = raw.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const on = () => setRoute(current());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}

export function navigate(to: string): void {
  location.hash = to.startsWith('#') ? to : `#${to}`;
}

/** Replaces the query part of the current route (filters), without adding history entries per keystroke. */
export function setQuery(params: Record<string, string | undefined>): void {
  const { parts, query } = current();
  for (const [k, v] of Object.entries(params)) {
    if (v) query.set(k, v);
    else query.delete(k);
  }
  const q = query.toString();
  history.replaceState(null, '', `#/${parts.map(encodeURIComponent).join('/')}${q ? `?${q}` : ''}`);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
