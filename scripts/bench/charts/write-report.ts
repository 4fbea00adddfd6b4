import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchCharts } from './bench-charts';
import { htmlReport } from './html-report';
import type { ReportData } from './report-data';

/** Writes a run's HTML report and, with `svgDir`, each chart as `<svgDir>/<chart id>.svg`; returns the files written. */
export function writeBenchReport(data: ReportData, out: { htmlFile: string; svgDir?: string; table?: string }): string[] {
  const charts = benchCharts(data);
  mkdirSync(path.dirname(out.htmlFile), { recursive: true });
  writeFileSync(out.htmlFile, htmlReport(data, charts, out.table));
  const written = [out.htmlFile];
  if (out.svgDir) {
    mkdirSync(out.svgDir, { recursive: true });
    for (const chart of charts) {
      const file = path.join(out.svgDir, `${chart.id}.svg`);
      writeFileSync(file, `${chart.svg}\n`);
      written.push(file);
    }
  }
  return written;
}
