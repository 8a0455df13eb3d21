import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature, DELIVERY_HEADER, EVENT_HEADER } from '../../alerts/webhooks.js';

/**
 * A crew's (or the oversight office's) webhook endpoint, as a careful receiver writes one: it verifies
 * the HMAC-SHA256 signature over "<timestamp>.<body>" with its secret, refuses stale timestamps
 * (replay), drops deliveries it has already seen, and can be told to fail the next N calls.
 */
export interface Received {
  event: string;
  delivery: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever arrived
  body: any;
}

export class WebhookReceiver {
  readonly accepted: Received[] = [];
  /** Calls refused, with why (bad_signature, stale, failing). */
  readonly refused: string[] = [];
  duplicates = 0;
  failNext = 0;
  url = '';
  private server!: Server;
  private readonly seen = new Set<string>();

  constructor(private readonly secret: string, private readonly toleranceSec = 300) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const verdict = verifySignature(this.secret, req.headers, body, this.toleranceSec);
        if (verdict !== 'ok') {
          this.refused.push(verdict);
          res.writeHead(401).end();
          return;
        }
        if (this.failNext > 0) {
          this.failNext -= 1;
          this.refused.push('failing');
          res.writeHead(503).end();
          return;
        }
        const delivery = String(req.headers[DELIVERY_HEADER]);
        if (this.seen.has(delivery)) this.duplicates += 1;
        else {
          this.seen.add(delivery);
          this.accepted.push({ event: String(req.headers[EVENT_HEADER]), delivery, body: JSON.parse(body) });
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  events(): string[] {
    return this.accepted.map((a) => a.event);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
