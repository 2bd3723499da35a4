import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Per-service metrics registry with the counters every service shares. */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpRequests = new Counter({
    name: "lookout_http_requests_total", help: "HTTP requests answered", labelNames: ["route", "method", "status"], registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "lookout_http_request_duration_seconds", help: "HTTP request duration", labelNames: ["route", "method"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
  });
  const jobs = new Counter({ name: "lookout_jobs_total", help: "Queue jobs finished", labelNames: ["queue", "outcome"], registers: [registry] });
  const jobDuration = new Histogram({
    name: "lookout_job_duration_seconds", help: "Queue job duration", labelNames: ["queue"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers: [registry],
  });
  const events = new Counter({ name: "lookout_events_total", help: "Bus events published or consumed", labelNames: ["subject", "direction", "outcome"], registers: [registry] });
  const eventDuration = new Histogram({
    name: "lookout_event_handle_duration_seconds", help: "Bus event handling duration", labelNames: ["subject"],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [registry],
  });
  return { registry, httpRequests, httpDuration, jobs, jobDuration, events, eventDuration, Counter, Gauge, Histogram };
}

export type Metrics = ReturnType<typeof createMetrics>;
export { Counter, Gauge, Histogram, Registry };
