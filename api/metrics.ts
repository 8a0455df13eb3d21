import type { FastifyInstance } from 'fastify';

/**
 * The HTTP server's own Prometheus metrics (request counts and latency per route). The rest of weisu's
 * metrics (queues, workers, cameras) come from the `metrics` hook the serve command passes.
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  count: number;
  sum: number;
  buckets: number[];
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class HttpMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Series>();

  observe(method: string, route: string, status: number, seconds: number): void {
    const labels = `method="${esc(method)}",route="${esc(route)}",status="${status}"`;
    this.requests.set(labels, (this.requests.get(labels) ?? 0) + 1);
    const key = `method="${esc(method)}",route="${esc(route)}"`;
    const s = this.latency.get(key) ?? { count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
    s.count++;
    s.sum += seconds;
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) s.buckets[i]!++;
    });
    this.latency.set(key, s);
  }

  render(): string {
    const lines = ['# HELP weisu_http_requests_total HTTP requests answered, by route and status.', '# TYPE weisu_http_requests_total counter'];
    for (const [labels, n] of this.requests) lines.push(`weisu_http_requests_total{${labels}} ${n}`);
    lines.push('# HELP weisu_http_request_duration_seconds Time to answer an HTTP request.', '# TYPE weisu_http_request_duration_seconds histogram');
    for (const [labels, s] of this.latency) {
      BUCKETS.forEach((b, i) => lines.push(`weisu_http_request_duration_seconds_bucket{${labels},le="${b}"} ${s.buckets[i]}`));
      lines.push(`weisu_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${s.count}`);
      lines.push(`weisu_http_request_duration_seconds_sum{${labels}} ${s.sum}`);
      lines.push(`weisu_http_request_duration_seconds_count{${labels}} ${s.count}`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** Times every request; unknown routes count as one label so scanners cannot blow up the series. */
  hook(app: FastifyInstance): void {
    app.addHook('onResponse', async (req, reply) => {
      this.observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    });
  }
}
