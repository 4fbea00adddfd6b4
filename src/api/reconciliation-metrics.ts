import { Gauge, type Registry } from 'prom-client';
import type { ReportStore } from '../reconciliation/report-store';

/**
 * The last finished reconciliation as gauges, read from the report store at scrape time, so every
 * API replica reports the same run (docs/operations.md, "Reconciliation"; the alerts use these
 * names). Nothing is exported before the first run finished.
 */
export function registerReconciliationMetrics(registry: Registry, store: ReportStore): void {
  const last = () => store.lastCompleted();
  const gauge = (name: string, help: string, value: (s: NonNullable<ReturnType<typeof last>>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        const summary = last();
        if (summary) this.set(value(summary));
      },
    });
  gauge('codepay_reconciliation_last_exceptions', 'Payments with at least one exception in the last completed reconciliation', (s) => s.exceptions);
  gauge('codepay_reconciliation_last_pending', 'Payments not final yet in the last completed reconciliation', (s) => s.pending);
  gauge('codepay_reconciliation_last_run_timestamp_seconds', 'When the last completed reconciliation finished (Unix seconds)', (s) => Date.parse(s.finishedAt ?? s.startedAt) / 1000);
}
