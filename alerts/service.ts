import { log as rootLog } from '../core/log.js';
import type { AlertsDeps } from './intake.js';
import { createAdapter } from './adapters/index.js';
import type { CaseAdapter } from './adapters/types.js';
import { Loop } from './loop.js';
import { sendDueTickets } from './outbox.js';
import { sendDueWebhooks } from './webhooks.js';
import { sendAuditCopy } from './oversight.js';
import { closeTheLoop, type Rechecker } from './recheck.js';
import { purgeOldEvidence } from './retention.js';
import { cjkFontProblem } from './evidence.js';

export type { Rechecker } from './recheck.js';

/** Webhook calls give up after this long (crews' receivers should answer at once and work later). */
const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * The alerts side's background work, all driven from the store so any number of `weisu serve`
 * processes can run it side by side: the ticket outbox sender, the webhook sender, the oversight copy of
 * the audit trail, and closing the loop (status polling, re-check, reminders).
 */
export class AlertsService {
  private readonly loops: Loop[] = [];
  private readonly adapter?: CaseAdapter;

  constructor(private readonly deps: AlertsDeps & { recheck?: Rechecker; adapter?: CaseAdapter }) {
    const { db, config } = deps;
    const alerts = config.alerts;
    const log = deps.log ?? rootLog;
    const adapter = deps.adapter ?? (config.case_api ? createAdapter(config.case_api) : undefined);
    this.adapter = adapter;
    const onError = (what: string) => (e: unknown) => log.error({ err: (e as Error).message }, `${what} failed; retrying`);
    const poll = alerts.outbox.poll;
    if (adapter && config.case_api) {
      const callTimeoutMs = config.case_api.timeout;
      this.loops.push(new Loop(() => sendDueTickets({ db, alerts, adapter, evidence: deps.evidence, callTimeoutMs, log }), poll, onError('ticket sender')));
    }
    this.loops.push(new Loop(() => sendDueWebhooks(db, alerts, WEBHOOK_TIMEOUT_MS, log), poll, onError('webhook sender')));
    const oversight = alerts.oversight;
    if (oversight) this.loops.push(new Loop(() => sendAuditCopy(db, oversight, WEBHOOK_TIMEOUT_MS), Math.max(poll, 1000), onError('oversight copy')));
    const lastAsked = new Map<string, number>();
    // Status polling has its own pace (alerts.status_poll) per ticket; the loop only looks for due work.
    this.loops.push(
      new Loop(() => closeTheLoop({ db, alerts, adapter, evidence: deps.evidence, recheck: deps.recheck, log, lastAsked }), Math.min(alerts.status_poll, 10_000), onError('status poller')),
    );
    this.loops.push(new Loop(() => purgeOldEvidence(db, deps.evidence, alerts.evidence.keep), 3_600_000, onError('evidence retention')));
  }

  start(): void {
    for (const l of this.loops) l.start();
    void this.checkCaseApi();
    void cjkFontProblem().then((p) => p && (this.deps.log ?? rootLog).warn(p));
  }

  /**
   * Asks the case system whether the config fits it (service codes exist). Problems are logged with the
   * field named; sending still starts, since the city's server may merely be down right now.
   */
  async checkCaseApi(): Promise<{ field: string; message: string }[]> {
    const log = this.deps.log ?? rootLog;
    if (!this.adapter?.check) return [];
    try {
      const problems = await this.adapter.check();
      for (const p of problems) log.error({ field: p.field }, `case_api does not fit the case system: ${p.field}: ${p.message}`);
      return problems;
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'could not check case_api against the case system; will file anyway');
      return [];
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((l) => l.stop()));
  }
}
