import { tv } from '../i18n/index.js';
import { AuthImage } from './AuthImage.js';

/**
 * Evidence URLs are signed absolute URLs under public_url (what case systems and crews reach); the
 * console loads the same path from its own origin, which the same server answers, so an operator on an
 * internal host name still sees the pictures (and the console's CSP stays 'self').
 */
export function sameOriginPath(url: string): string {
  try {
    const u = new URL(url, location.href);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

/** One evidence picture as the case system receives it (zone, box and caption are drawn in by alerts/). */
export function EvidenceImage({ url, role }: { url: string; role: string }) {
  return (
    <figure class="evidence" data-evidence={role}>
      <a class="evidence-frame" href={sameOriginPath(url)} target="_blank" rel="noopener">
        <AuthImage src={sameOriginPath(url)} alt={tv('evidence', role)} />
      </a>
      <figcaption>{tv('evidence', role)}</figcaption>
    </figure>
  );
}
