import type { Db } from '../store/db.js';
import { audit } from '../store/audit.js';
import { evidenceToPurge, markPurged } from '../store/evidence.js';
import { forgetViewPicture, viewPicturesToPurge } from '../store/view_changes.js';
import type { EvidenceStore } from './evidence_store.js';

/**
 * Deletes evidence files past `alerts.evidence.keep` whose incidents are all finished or never filed,
 * and the pictures of camera view changes past it. The evidence rows and view changes stay (with
 * purged_at, or without their picture), so the audit trail still says which pictures existed; their
 * URLs answer "no longer stored".
 */
export async function purgeOldEvidence(db: Db, store: EvidenceStore, keepMs: number, now = Date.now()): Promise<number> {
  const shas = await evidenceToPurge(db, new Date(now - keepMs), 200);
  for (const sha of shas) {
    store.remove(sha);
    await db.tx(async (t) => {
      await markPurged(t, sha);
      await audit(t, { actor: 'retention', entity: 'evidence', entityId: sha, action: 'purged', reason: `older than alerts.evidence.keep (${Math.round(keepMs / 86_400_000)} d) and its incidents are finished` });
    });
  }
  const views = await viewPicturesToPurge(db, new Date(now - keepMs), 200);
  for (const sha of views) {
    store.remove(sha);
    await forgetViewPicture(db, sha);
  }
  return shas.length + views.length;
}
