/**
 * Prometheus metrics whose series are read at scrape time from state kept elsewhere (integration,
 * partition, connection and forwarder status, retention, the sandbox pool): counters for the
 * `*_total` metrics, gauges for current values. A total starts over at 0 when an instance restarts
 * or takes a lease over; Prometheus reads a smaller value as a counter reset, so rate() and
 * increase() stay right.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** One series: its labels and the total read now. */
export type MetricSample<L extends string> = readonly [labels: Partial<Record<L, string | number>>, value: number];

export interface ScrapedMetricDef<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/**
 * Registers a counter whose series are exactly what `read` gives at each scrape: a series at 0 is
 * exposed, a series no longer read is dropped. A value a counter cannot have (negative, not finite)
 * is left out rather than failing the whole scrape.
 */
export function registerScrapedCounter<L extends string>(registry: Registry, def: ScrapedMetricDef<L>, read: () => Iterable<MetricSample<L>>): Counter<L> {
  return new Counter<L>({
    name: def.name, help: def.help, labelNames: def.labelNames ?? [], registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) {
        if (Number.isFinite(value) && value >= 0) this.inc(labels, value);
      }
    },
  });
}

/** Registers a gauge whose series are exactly what `read` gives at each scrape (any number). */
export function registerScrapedGauge<L extends string>(registry: Registry, def: ScrapedMetricDef<L>, read: () => Iterable<MetricSample<L>>): Gauge<L> {
  return new Gauge<L>({
    name: def.name, help: def.help, labelNames: def.labelNames ?? [], registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}
