import { z } from 'zod';

/**
 * The parts of a bench JSON summary the report draws, validated when read back from a file
 * (render-report.ts); the bench passes its summary object, which has this shape and more.
 */
const ms = z.array(z.number());
const ThroughputSchema = z.object({ startedAtMs: z.number(), perSecond: z.array(z.number().int().min(0)) });
const LatencySchema = z.object({ n: z.number(), p50: z.number().optional(), p95: z.number().optional(), p99: z.number().optional(), max: z.number().optional() });
const SeriesSchema = z.object({ pid: z.number(), tSeconds: ms, cpuPercent: ms, rssMiB: ms });

export const ReportDataSchema = z.object({
  mode: z.string(),
  startedAt: z.string(),
  durationSeconds: z.number(),
  command: z.string(),
  machine: z.object({
    cpus: z.number(),
    cpuModel: z.string().optional(),
    memoryGiB: z.number().optional(),
    node: z.string().optional(),
    loadAverageBefore: ms,
    loadAverageAfter: ms,
  }),
  e2e: z
    .object({
      count: z.number(),
      concurrency: z.number(),
      completed: z.number(),
      paymentsPerSecond: z.number(),
      startPaymentMs: LatencySchema,
      cpuMsPerPayment: z.record(z.string(), z.number()),
      throughput: ThroughputSchema,
      samples: z.object({ startPaymentMs: ms, paidEndToEndMs: ms, webhookAckMs: ms }),
    })
    .optional(),
  ceiling: z
    .object({ workflowsPerSecond: z.number(), cpuMsPerWorkflow: z.record(z.string(), z.number()), throughput: ThroughputSchema })
    .optional(),
  ratio: z.number().optional(),
  webhook: z
    .object({ rate: z.number(), achievedRate: z.number(), sent: z.number(), errors: z.object({ count: z.number() }), ackMs: LatencySchema, samples: z.object({ ackMs: ms }) })
    .optional(),
  timeline: z
    .object({
      startedAtMs: z.number(),
      intervalMs: z.number(),
      processes: z.record(z.string(), SeriesSchema),
      machine: z.object({ cores: z.number(), tSeconds: ms, busyPercent: ms, loadAverage1m: ms }),
      phases: z.array(z.object({ name: z.string(), fromSeconds: z.number(), toSeconds: z.number() })),
    })
    .optional(),
  targets: z.array(z.object({ target: z.string(), value: z.number().optional(), met: z.boolean() })),
});
export type ReportData = z.infer<typeof ReportDataSchema>;
