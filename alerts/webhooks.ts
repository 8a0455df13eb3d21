import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../core/log.js';
import type { Db } from '../store/db.js';
import { audit } from '../store/audit.js';
import { claimDueDeliveries, finishDelivery, type DeliveryRow } from '../store/webhooks.js';
import type { AlertsConfig } from './schema.js';
import { backoffMs } from './backoff.js';

/**
 * Crews' and oversight webhooks. Each POST carries a JSON body and
 *   X-Weisu-Event: ticket.filed
 *   X-Weisu-Delivery: <uuid>          (a receiver drops repeats by it)
 *   X-Weisu-Timestamp: <unix seconds>  (a receiver refuses old ones: replay)
 *   X-Weisu-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 */
export const SIGNATURE_HEADER = 'x-weisu-signature';
export const TIMESTAMP_HEADER = 'x-weisu-timestamp';
export const DELIVERY_HEADER = 'x-weisu-delivery';
export const EVENT_HEADER = 'x-weisu-event';

export function signBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does (exported for receivers written in TypeScript, and for tests): the signature must
 * match and the timestamp be within `toleranceSec` of now.
 */
export function verifySignature(secret: string, headers: Record<string, string | string[] | undefined>, body: string, toleranceSec = 300, now = Date.now()): 'ok' | 'bad_signature' | 'stale' {
  const ts = Number(headers[TIMESTAMP_HEADER]);
  const sig = String(headers[SIGNATURE_HEADER] ?? '');
  const want = Buffer.from(signBody(secret, ts, body));
  const got = Buffer.from(sig);
  if (!Number.isFinite(ts) || want.length !== got.length || !timingSafeEqual(want, got)) return 'bad_signature';
  if (Math.abs(now / 1000 - ts) > toleranceSec) return 'stale';
  return 'ok';
}

export interface Target {
  url: string;
  secret: string;
}

/** Posts one signed body; resolves on 2xx, throws with the reason otherwise. */
export async function postSigned(target: Target, event: string, body: string, timeoutMs: number, deliveryId: string = randomUUID()): Promise<void> {
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      [EVENT_HEADER]: event,
      [DELIVERY_HEADER]: deliveryId,
      [TIMESTAMP_HEADER]: String(ts),
      [SIGNATURE_HEADER]: signBody(target.secret, ts, body),
    },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status >= 300) throw new Error(`answered ${res.status}`);
}

/** Delivers due webhook messages; failures retry with backoff and dead-letter after the outbox's attempts. */
export async function sendDueWebhooks(db: Db, alerts: AlertsConfig, timeoutMs: number, log?: Logger): Promise<number> {
  const claimed = await claimDueDeliveries(db, alerts.outbox.concurrency, timeoutMs * 2 + 30_000);
  await Promise.all(claimed.map((d) => deliver(db, alerts, d, timeoutMs, log)));
  return claimed.length;
}

async function deliver(db: Db, alerts: AlertsConfig, d: DeliveryRow, timeoutMs: number, log?: Logger): Promise<void> {
  const target = alerts.webhooks.find((w) => w.id === d.target);
  if (!target) {
    await finishDelivery(db, d.id, { state: 'dead', error: `webhook "${d.target}" is no longer configured` });
    return;
  }
  try {
    // The delivery id is the row's, so a retried message keeps its id and receivers can drop repeats.
    await postSigned(target, d.event, JSON.stringify(d.body), timeoutMs, `${d.target}-${d.id}`);
    await finishDelivery(db, d.id, { state: 'delivered' });
  } catch (e) {
    const reason = `attempt ${d.attempts}: ${(e as Error).message}`;
    if (d.attempts >= alerts.outbox.attempts) {
      await db.tx(async (t) => {
        await finishDelivery(t, d.id, { state: 'dead', error: reason });
        await audit(t, { actor: 'webhooks', entity: 'webhook', entityId: `${d.target}-${d.id}`, action: 'dead_lettered', reason, data: { event: d.event } });
      });
      log?.error({ webhook: d.target, event: d.event, reason }, 'webhook delivery gave up');
    } else {
      await finishDelivery(db, d.id, { state: 'pending', error: reason, retryInMs: backoffMs(d.attempts, alerts.outbox.base_delay, alerts.outbox.max_delay) });
    }
  }
}
