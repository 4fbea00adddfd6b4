import { readFileSync } from 'node:fs';
import path from 'node:path';

/** PromQL words that are not metric names in the queries of deploy/ (functions, aggregations, keywords). */
const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'avg', 'count', 'rate', 'increase', 'histogram_quantile', 'time', 'absent', 'by', 'without', 'and', 'or', 'unless', 'on', 'ignoring']);

/** The metric names a set of PromQL queries reads: identifiers outside label matchers, ranges, groupings and strings. */
export function metricNamesOfQueries(queries: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const query of queries) {
    const bare = query
      .replace(/"[^"]*"/g, '')
      .replace(/\{[^}]*\}/g, ' ')
      .replace(/\[[^\]]*\]/g, ' ')
      .replace(/\b(by|without)\s*\([^)]*\)/g, ' ');
    for (const [word] of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) if (!PROMQL_WORDS.has(word)) names.add(word);
  }
  return names;
}

/** Every series name a Prometheus exposition text declares or carries (`# TYPE` lines count: a histogram's _bucket/_sum/_count too). */
export function exposedMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const declared = /^# TYPE (\S+) (\w+)/.exec(line);
    if (declared) {
      names.add(declared[1]!);
      if (declared[2] === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${declared[1]}${suffix}`);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample) names.add(sample[1]!);
  }
  return names;
}

let coreStrings: Buffer | undefined;

/** Whether the Temporal SDK's core (the native bridge this platform loads) defines the metric, e.g. temporal_workflow_task_execution_failed. */
export function sdkKnowsMetric(name: string): boolean {
  const base = name.replace(/^temporal_/, '').replace(/_(bucket|sum|count)$/, '');
  coreStrings ??= readFileSync(path.join(path.dirname(require.resolve('@temporalio/core-bridge/package.json')), 'releases', `${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-unknown-linux-gnu`, 'index.node'));
  return coreStrings.includes(base);
}
