/**
 * The one place URLs lose their secrets. Every log line, API response, error and event that mentions a
 * camera URL passes it through here first.
 *
 * It does not parse: a URL that parsers read differently (a password with `/`, `@` or `%` in it) must not
 * be half-redacted. The userinfo is taken to end at the last `@`; if what comes before it could be anything
 * but a plain `user:password`, all of it is hidden. Over-hiding (an `@` in a query) is the safe mistake.
 */
const SECRET_QUERY_KEYS = /([?&;](?:password|passwd|pwd|pass|token|key|api_key|apikey|auth|signature|sig|secret)=)[^&;#\s]*/gi;

export function redactUrl(raw: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(raw);
  // Not a URL (a file path, or garbage): hide anything that looks like user:password@.
  if (!m) return raw.replace(/\/\/[^/\s]*:[^\s]*@/, '//***@');
  let rest = m[2]!;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    const plain = /^[^/?#@:]*(:[^/?#@]*)?$/.test(userinfo);
    const colon = userinfo.indexOf(':');
    const shown = !plain ? '***' : colon === -1 ? userinfo : `${userinfo.slice(0, colon)}:***`;
    rest = `${shown}@${rest.slice(at + 1)}`;
  }
  return m[1] + rest.replace(SECRET_QUERY_KEYS, '$1***');
}

/** Replaces every URL inside free text (an ffmpeg stderr line, an error message) by its redacted form. */
export function redactText(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, (u) => redactUrl(u));
}
