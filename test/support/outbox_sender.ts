import { EvidenceStore } from '../../alerts/evidence_store.js';
import { AlertsService } from '../../alerts/service.js';
import { log } from '../../core/log.js';
import { openDb } from '../../store/db.js';
import { alertsConfig, open311Yaml } from '../alerts/fixtures.js';

/**
 * One ticket sender as its own process, for tests that pause it (SIGSTOP) while others work: the real
 * AlertsService over the PostgreSQL store at DATABASE_URL, filing to the Open311 endpoint given as the
 * first argument with the evidence folder given as the second. Its case API timeout is short so that
 * its lease (four calls' time + 30 s) runs out within a test. Logs "sender running" once started;
 * SIGTERM stops it cleanly.
 */

const [endpoint, evidenceDir] = process.argv.slice(2);
if (!endpoint || !evidenceDir || !process.env.DATABASE_URL) throw new Error('usage: DATABASE_URL=… outbox_sender.ts ENDPOINT EVIDENCE_DIR');
const config = alertsConfig('alerts: { outbox: { poll: 50ms } }', open311Yaml(endpoint, '  timeout: 500ms'));
const db = await openDb({ databaseUrl: process.env.DATABASE_URL });
const evidence = new EvidenceStore({ dir: evidenceDir, publicUrl: config.public_url, ttlMs: config.alerts.evidence.url_ttl });
const service = new AlertsService({ db, config, evidence, log: log.child({ pid: process.pid }) });
service.start();
log.info('sender running');
process.once('SIGTERM', () => {
  void service
    .stop()
    .then(() => db.close())
    .then(() => process.exit(0));
});
