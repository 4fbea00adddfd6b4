import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { REPORT_ID_PATTERN, type Report, type ReportRow, type ReportSummary } from './report';

/**
 * Reports on disk, so they outlive Temporal's retention (docs/design.md §11): a folder per run under
 * `DATA_DIR/reconciliations` (a volume shared by worker and API in compose). The worker writes, the
 * API reads. Every file is written whole to a temp name and renamed, so a reader sees the old or
 * the new file, never half of one; a retried batch rewrites its own rows file, so nothing doubles.
 */
export class ReportStore {
  constructor(readonly dir: string) {}

  private folder(id: string): string {
    if (!REPORT_ID_PATTERN.test(id)) throw new Error(`not a reconciliation id: ${JSON.stringify(id)}`);
    return path.join(this.dir, id);
  }

  private static writeWhole(file: string, text: string): void {
    mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, file);
  }

  /** A new run over the id: the rows of an earlier run of the same id go. */
  begin(summary: ReportSummary): void {
    rmSync(this.folder(summary.id), { recursive: true, force: true });
    this.saveSummary(summary);
  }

  saveSummary(summary: ReportSummary): void {
    ReportStore.writeWhole(path.join(this.folder(summary.id), 'summary.json'), JSON.stringify(summary));
  }

  saveRows(id: string, batch: number, rows: ReportRow[]): void {
    ReportStore.writeWhole(path.join(this.folder(id), `rows-${String(batch).padStart(6, '0')}.jsonl`), rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  }

  summary(id: string): ReportSummary | undefined {
    if (!REPORT_ID_PATTERN.test(id)) return undefined;
    const file = path.join(this.folder(id), 'summary.json');
    return existsSync(file) ? SummarySchema.parse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
  }

  report(id: string): Report | undefined {
    const summary = this.summary(id);
    if (!summary) return undefined;
    const folder = this.folder(id);
    const rows = readdirSync(folder)
      .filter((name) => /^rows-\d+\.jsonl$/.test(name))
      .sort()
      .flatMap((name) => readFileSync(path.join(folder, name), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as ReportRow));
    return { summary, rows };
  }

  /** Every run's summary, newest first (by start, then id). */
  summaries(): ReportSummary[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => REPORT_ID_PATTERN.test(name))
      .flatMap((id) => this.summary(id) ?? [])
      .sort((a, b) => (a.startedAt === b.startedAt ? b.id.localeCompare(a.id) : b.startedAt.localeCompare(a.startedAt)));
  }

  /** The newest finished run, for the "last run" metrics. */
  lastCompleted(): ReportSummary | undefined {
    return this.summaries().find((s) => s.status === 'COMPLETED');
  }
}

const Totals = z.record(z.string(), z.object({ paidMinor: z.number().int(), refundedMinor: z.number().int() }));
const SummarySchema: z.ZodType<ReportSummary> = z.object({
  id: z.string(),
  status: z.enum(['RUNNING', 'COMPLETED', 'FAILED']),
  from: z.string(),
  to: z.string(),
  trigger: z.enum(['schedule', 'api']),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  total: z.number().int(),
  checked: z.number().int(),
  matched: z.number().int(),
  pending: z.number().int(),
  exceptions: z.number().int(),
  totals: Totals,
  error: z.string().optional(),
});
