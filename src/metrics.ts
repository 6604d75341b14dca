/** Prometheus metrics (GET /metrics), one registry per bridge. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PlatformState } from './platforms.js';
import type { DeliveryQueue } from './queue/queue.js';

export class Metrics {
  readonly registry = new Registry();
  readonly inbound = new Counter({ name: 'sameroom_inbound_events_total', help: 'Events accepted from platforms', labelNames: ['platform', 'kind'], registers: [this.registry] });
  readonly relayed = new Counter({ name: 'sameroom_deliveries_total', help: 'Deliveries completed, by target platform', labelNames: ['platform', 'op'], registers: [this.registry] });
  readonly retried = new Counter({ name: 'sameroom_delivery_retries_total', help: 'Delivery attempts that failed and will be retried', labelNames: ['platform'], registers: [this.registry] });
  readonly dead = new Counter({ name: 'sameroom_dead_letters_total', help: 'Deliveries given up after the retry budget', labelNames: ['platform'], registers: [this.registry] });

  /** From a message's arrival to its copy being recorded (queue wait and retries included). */
  readonly latency = new Histogram({
    name: 'sameroom_delivery_seconds',
    help: 'Time from accepting an event to its delivery being done, by target platform',
    labelNames: ['platform', 'op'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  constructor(queue: DeliveryQueue, platforms: () => Record<string, PlatformState> = () => ({})) {
    // Process CPU, memory, heap, GC, handles and event-loop lag (`process_*`, `nodejs_*`).
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'sameroom_platform_up',
      help: 'Whether this process is connected to the platform (1) or not (0: down, starting, or standby while another process holds its connection)',
      labelNames: ['platform'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [platform, s] of Object.entries(platforms())) this.set({ platform }, s.state === 'up' ? 1 : 0);
      },
    });
    // The three queue gauges of one scrape share one read of the queue.
    let last: { at: number; stats: ReturnType<DeliveryQueue['stats']> } | undefined;
    const stats = (): ReturnType<DeliveryQueue['stats']> => {
      if (!last || Date.now() - last.at > 200) last = { at: Date.now(), stats: queue.stats() };
      return last.stats;
    };
    new Gauge({
      name: 'sameroom_queue_depth',
      help: 'Deliveries accepted and not yet done, by target platform',
      labelNames: ['platform'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [platform, p] of Object.entries((await stats()).platforms)) this.set({ platform }, p.depth);
      },
    });
    new Gauge({
      name: 'sameroom_queue_oldest_seconds',
      help: 'Age of the oldest pending delivery, by target platform (0 when none)',
      labelNames: ['platform'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [platform, p] of Object.entries((await stats()).platforms)) this.set({ platform }, p.oldestAgeMs / 1000);
      },
    });
    new Gauge({
      name: 'sameroom_queue_in_memory',
      help: 'Deliveries held in this process',
      registers: [this.registry],
      async collect() {
        this.set((await stats()).inMemory);
      },
    });
  }
}
