/**
 * What `serve` reports on /metrics, in Prometheus' text format: requests by route and
 * status, a latency histogram by route, and errors. A handful of counters: a client library
 * would bring a registry, a default collector set and a dependency for what fits here.
 */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const label = (v: string): string => v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export class ServeMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly errors = new Map<string, number>();
  private readonly batches = new Map<string, number>();
  private cacheHits = 0;

  /** One finished request: its route (the declared path, never the raw URL), status and seconds. */
  observe(route: string, status: number, seconds: number): void {
    const key = `${route}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let h = this.latency.get(route);
    if (!h) this.latency.set(route, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
    if (status >= 500) this.errors.set(route, (this.errors.get(route) ?? 0) + 1);
  }

  /** Which batch answered: a publish shows as a new series. */
  servedFrom(batchId: string): void {
    this.batches.set(batchId, (this.batches.get(batchId) ?? 0) + 1);
  }

  /** An answer reused from the cache (its batch still published). */
  cacheHit(): void {
    this.cacheHits++;
  }

  text(): string {
    const out: string[] = [];
    out.push('# HELP strata_serve_requests_total Requests answered, by route and HTTP status', '# TYPE strata_serve_requests_total counter');
    for (const [key, n] of this.requests) {
      const [route, status] = key.split('\u0000');
      out.push(`strata_serve_requests_total{route="${label(route!)}",status="${status}"} ${n}`);
    }
    out.push('# HELP strata_serve_request_duration_seconds Time to answer a request, by route', '# TYPE strata_serve_request_duration_seconds histogram');
    for (const [route, h] of this.latency) {
      const r = label(route);
      BUCKETS.forEach((b, i) => out.push(`strata_serve_request_duration_seconds_bucket{route="${r}",le="${b}"} ${h.counts[i]}`));
      out.push(`strata_serve_request_duration_seconds_bucket{route="${r}",le="+Inf"} ${h.count}`);
      out.push(`strata_serve_request_duration_seconds_sum{route="${r}"} ${h.sum}`, `strata_serve_request_duration_seconds_count{route="${r}"} ${h.count}`);
    }
    out.push('# HELP strata_serve_errors_total Requests that failed on the server side (5xx), by route', '# TYPE strata_serve_errors_total counter');
    for (const [route, n] of this.errors) out.push(`strata_serve_errors_total{route="${label(route)}"} ${n}`);
    out.push('# HELP strata_serve_batch_responses_total Responses served from each published batch', '# TYPE strata_serve_batch_responses_total counter');
    for (const [b, n] of this.batches) out.push(`strata_serve_batch_responses_total{batch_id="${label(b)}"} ${n}`);
    out.push('# HELP strata_serve_cache_hits_total Answers reused from memory because their batch was still the published one', '# TYPE strata_serve_cache_hits_total counter');
    out.push(`strata_serve_cache_hits_total ${this.cacheHits}`);
    return out.join('\n') + '\n';
  }
}
