import type { ViewChangeMessage } from '../core/types.js';
import { MAX_PICTURE_BYTES } from '../core/caps.js';
import { audit } from '../store/audit.js';
import { recordViewChange } from '../store/view_changes.js';
import { insertDelivery } from '../store/webhooks.js';
import type { AlertsDeps } from './intake.js';
import { webhooksFor } from './notify.js';
import { isoTime } from './wording.js';

/** The JSON body crews receive when a camera's view changes or comes back (docs/moving-cameras.md). */
export interface ViewChangeBody {
  event: ViewChangeMessage['event'];
  at: string;
  camera: { id: string; name?: string; address?: string };
  /** aligned (rules run), view_changed or obstructed (rules paused), with why and since when. */
  view: { state: ViewChangeMessage['state']; reason?: string; since?: string; preset?: string; shift?: number };
  /** The state it left behind. */
  was?: { state: string; reason?: string; since?: string };
  /** Signed, expiring link to the picture that showed the change. */
  picture_url?: string;
}

/**
 * Takes one message from the `view_changes` queue: the change is recorded and its webhook messages queued
 * in one transaction (the outbox the webhook sender works from), once per message id — a re-delivered
 * message changes nothing. The picture is stored with the evidence (content-addressed, so storing it
 * again is harmless) and linked by a signed URL, since a crew's receiver holds no API token.
 */
export async function acceptViewChange(deps: AlertsDeps, msg: ViewChangeMessage): Promise<{ recorded: boolean }> {
  const picture = Buffer.from(msg.jpegBase64, 'base64');
  // From our own workers, but through Redis: a picture larger than any camera's is not stored.
  const sha = picture.length && picture.length <= MAX_PICTURE_BYTES ? deps.evidence.put(picture) : undefined;
  const camera = (await deps.findCamera?.(msg.cameraId)) ?? deps.config.cameras.find((c) => c.id === msg.cameraId);
  const body: ViewChangeBody = {
    event: msg.event,
    at: new Date().toISOString(),
    camera: { id: msg.cameraId, ...(camera?.name ? { name: camera.name } : {}), ...(camera?.location.address ? { address: camera.location.address } : {}) },
    view: { state: msg.state, reason: msg.reason, since: isoTime(msg.since), preset: msg.preset, shift: msg.shift },
    ...(msg.was ? { was: { state: msg.was.state, reason: msg.was.reason, since: isoTime(msg.was.since) } } : {}),
    ...(sha ? { picture_url: deps.evidence.url(sha) } : {}),
  };
  const recorded = await deps.db.tx(async (t) => {
    const fresh = await recordViewChange(t, { id: msg.id, cameraId: msg.cameraId, event: msg.event, state: msg.state, reason: msg.reason, since: msg.since, pictureSha256: sha });
    if (!fresh) return false;
    const reason = msg.event === 'camera.view_restored' ? 'shows its reference view again: rules resume' : `does not show its reference view (${msg.reason ?? msg.state}): rules paused`;
    await audit(t, { actor: 'views', entity: 'camera', entityId: msg.cameraId, action: msg.event, reason, data: { state: msg.state, reason: msg.reason, since: msg.since } });
    for (const w of webhooksFor(deps.config.alerts, msg.event, msg.cameraId)) await insertDelivery(t, { target: w.id, event: msg.event, body });
    return true;
  });
  if (recorded) deps.log?.info({ camera: msg.cameraId, event: msg.event, reason: msg.reason }, 'view change recorded; webhooks queued');
  return { recorded };
}
