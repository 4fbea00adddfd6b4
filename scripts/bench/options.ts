import { z } from 'zod';
import { EMBEDDED_SQLITE_PRAGMAS } from '../../src/tools/dev-server';

/** `npm run bench -- …` options, validated once. */
/** `reconcile` is not part of `all`: it makes its own payments and measures one reconciliation over them. */
export const BENCH_MODES = ['e2e', 'lost', 'webhook', 'reconcile', 'all'] as const;
export type BenchMode = (typeof BENCH_MODES)[number];

const int = (min: number) => z.coerce.number().int().min(min);
const seconds = z.coerce.number().min(0);

const OptionsSchema = z
  .strictObject({
    count: int(1).default(1000),
    concurrency: int(1).default(50),
    mode: z.enum(BENCH_MODES).default('all'),
    /** Webhook mode: notifications per second, for `duration` seconds. */
    rate: int(1).default(100),
    duration: seconds.default(20),
    /**
     * Webhook mode: what each notification claims. `paying` (trans_status 0) changes nothing; `paid`
     * (2) is a claim the sandbox refutes (nobody paid), so each one makes the workflow confirm it with a query.
     */
    claim: z.enum(['paying', 'paid']).default('paying'),
    /** Webhook mode: open payments the notifications are spread over (default min(200, count)). */
    openPayments: int(1).optional(),
    /** e2e: the sandbox pays each order this long after it was created. */
    autoPayAfterMs: int(1).default(50),
    /** Also write each chart of the HTML report as <svgDir>/<chart>.svg (for docs/performance.md). */
    svgDir: z.string().min(1).optional(),
    /** Lost mode: payments paid `lostPayAfter` s after creation, notifications dropped. */
    lostCount: int(1).default(10),
    lostPayAfter: seconds.default(130),
    /** Lost mode: payments nobody pays, created with this expiry (s, ≥ 60; 0 = skip). */
    lostExpires: seconds.default(300),
    /** Dev-server SQLite pragmas (repeatable); default: npm start's (WAL); `--sqlite-pragma none`: the plain dev server. */
    sqlitePragma: z.array(z.string().regex(/^\w+=\w+$/, 'expected PRAGMA=VALUE')).default([...EMBEDDED_SQLITE_PRAGMAS]),
    /** Base port: API +0, sandbox +100, Temporal +4233, its /metrics +4300, UI +5233, proxy +200. */
    basePort: int(1024).max(60_000).default(23_000),
    keepData: z.boolean().default(false),
    /** dev: the SQLite dev server; cluster: PostgreSQL + `clusterNodes` temporal-server nodes at base+6000. */
    temporal: z.enum(['dev', 'cluster']).default('dev'),
    clusterNodes: int(1).max(9).default(2),
    /** Worker processes on the payment task queue. */
    workers: int(1).max(8).default(1),
    /** e2e: also run the ceiling workflow after it (for `ratio`); `off` saves its minute or two on a busy machine. */
    ceiling: z.enum(['on', 'off']).default('on'),
    /** node: the stack's processes run the compiled dist/ (built first), as `npm start` and the image do; tsx: from source. */
    services: z.enum(['node', 'tsx']).default('node'),
    /** on: every process exports OTLP/HTTP (protobuf) spans of every payment (OTEL_TRACES_SAMPLER=always_on) to a local sink; off: no OTEL_* at all. */
    tracing: z.enum(['off', 'on']).default('off'),
  })
  .refine((o) => o.lostExpires === 0 || o.lostExpires >= 60, { message: 'lostExpires must be 0 or ≥ 60 (the API minimum)', path: ['lostExpires'] });
export type BenchOptions = z.infer<typeof OptionsSchema>;

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** `--count 20 --mode=all --keep-data --sqlite-pragma a=b --sqlite-pragma c=d` → options. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const raw: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    const key = camel(match[1]!);
    const next = argv[i + 1];
    const isFlag = key === 'keepData';
    const value = match[2] ?? (isFlag ? 'true' : next);
    if (value === undefined) throw new Error(`--${match[1]} needs a value`);
    if (match[2] === undefined && !isFlag) i += 1;
    if (key === 'sqlitePragma') raw.sqlitePragma = [...((raw.sqlitePragma as string[] | undefined) ?? []), ...(value === 'none' ? [] : [value])];
    else raw[key] = isFlag ? value !== 'false' : value;
  }
  const parsed = OptionsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid bench options:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
