/**
 * `npx tsx scripts/bench/render-report.ts .bench/<run>.json [--svg-dir docs/performance]`: redraws
 * a finished run's HTML report (beside its JSON) and, optionally, its charts as standalone SVG
 * files, without running the bench again.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ReportDataSchema } from './charts/report-data';
import { writeBenchReport } from './charts/write-report';

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({ args: argv, options: { 'svg-dir': { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new Error('usage: render-report.ts <bench summary .json> [--svg-dir <folder>]');
  const file = positionals[0]!;
  const svgDir = values['svg-dir'];
  const parsed = ReportDataSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a bench summary with charts (run it with this version of the bench):\n${z.prettifyError(parsed.error)}`);
  const written = writeBenchReport(parsed.data, { htmlFile: file.replace(/\.json$/, '') + '.html', svgDir });
  process.stdout.write(`${written.map((f) => path.relative(process.cwd(), f)).join('\n')}\n`);
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`render-report: ${(err as Error).message}\n`);
  process.exit(1);
}
