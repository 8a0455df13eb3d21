/**
 * The one place URLs lose their secrets. Every log line, API response, error and event that mentions a
 * camera URL passes it through here first.
 */
const SECRET_QUERY_KEYS = /^(password|passwd|pwd|pass|token|key|api_key|apikey|auth|signature|sig|secret)$/i;

export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not a URL (a file path, or garbage): hide anything that looks like user:password@.
    return raw.replace(/\/\/([^/@:\s]+):([^/@\s]*)@/, '//$1:***@');
  }
  if (url.password) url.password = '***';
  for (const k of [...url.searchParams.keys()]) if (SECRET_QUERY_KEYS.test(k)) url.searchParams.set(k, '***');
  return url.toString().replace('%2A%2A%2A', '***').replaceAll('=%2A%2A%2A', '=***');
}

/** Replaces every URL inside free text (an ffmpeg stderr line, an error message) by its redacted form. */
export function redactText(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, (u) => redactUrl(u));
}
