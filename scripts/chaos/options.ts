import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * `npm run chaos -- [--payments N] [--seed S] [--concurrency C] [--quick] [--settle-seconds T] [--keep-data]
 * [--temporal dev|cluster] [--workers W]`.
 */
export const ChaosOptionsSchema = z.object({
  payments: z.coerce.number().int().min(1).max(100_000),
  seed: z.coerce.number().int().min(0).max(4_294_967_295),
  concurrency: z.coerce.number().int().min(1).max(256),
  /** Fewer process faults and a shorter settle budget: for CI smoke runs. */
  quick: z.boolean(),
  /** Upper bound on the wait for quiescence after the last payment was driven. */
  settleSeconds: z.coerce.number().int().min(10).max(3_600),
  /** Keep the temp DATA_DIR (Temporal's SQLite, keys) for inspection. */
  keepData: z.boolean(),
  /** Base port; the stack uses base, base+100 (sandbox), base+4233 (Temporal) and so on. */
  basePort: z.coerce.number().int().min(1024).max(60_000),
  /** dev: the SQLite dev server; cluster: PostgreSQL + 2 temporal-server nodes at base+6000 (npm run cluster). */
  temporal: z.enum(['dev', 'cluster']),
  /** Worker processes on the task queue. */
  workers: z.coerce.number().int().min(1).max(8),
});
export type ChaosOptions = z.infer<typeof ChaosOptionsSchema>;

export function parseChaosOptions(argv: string[]): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      payments: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '8' },
      quick: { type: 'boolean', default: false },
      'settle-seconds': { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
      'base-port': { type: 'string', default: '13000' },
      temporal: { type: 'string', default: 'dev' },
      workers: { type: 'string', default: '1' },
    },
    strict: true,
  });
  return ChaosOptionsSchema.parse({
    payments: values.payments,
    seed: values.seed,
    concurrency: values.concurrency,
    quick: values.quick,
    settleSeconds: values['settle-seconds'] ?? (values.quick ? 180 : 420),
    keepData: values['keep-data'],
    basePort: values['base-port'],
    temporal: values.temporal,
    workers: values.workers,
  });
}
