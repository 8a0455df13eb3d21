import type { Incident } from '../api/types.js';
import { tv } from '../i18n/index.js';
import { AuthImage } from './AuthImage.js';

/** One evidence picture with the subject's box drawn over it (boxes are in frame pixels). */
export function EvidenceImage({ incident, url, role, showBox }: { incident: Incident; url: string; role: string; showBox: boolean }) {
  const size = incident.frame_size;
  const box = incident.subject?.box;
  return (
    <figure class="evidence">
      <div class="evidence-frame">
        <AuthImage src={url} alt={tv('evidence', role)} />
        {showBox && size && box && (
          <svg class="evidence-box" viewBox={`0 0 ${size.width} ${size.height}`} preserveAspectRatio="none">
            <rect x={box[0]} y={box[1]} width={box[2] - box[0]} height={box[3] - box[1]} vector-effect="non-scaling-stroke" />
          </svg>
        )}
      </div>
      <figcaption>{tv('evidence', role)}</figcaption>
    </figure>
  );
}
