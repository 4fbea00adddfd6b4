import { z } from 'zod';
import { EXCEPTION_KINDS } from '../reconciliation/classify';
import { RECONCILIATION_STATUSES, REPORT_ID_PATTERN } from '../reconciliation/report';

/** `/v1/reconciliations…` (docs/design.md §11): what the routes validate and answer, and the OpenAPI document's source. */
const Instant = z.iso.datetime({ offset: true });

export const CreateReconciliationBodySchema = z
  .strictObject({
    from: Instant.describe('Start of the window, inclusive (ISO-8601)'),
    to: Instant.describe('End of the window, exclusive (ISO-8601)'),
  })
  .refine((w) => Date.parse(w.from) < Date.parse(w.to), { message: '`from` must be before `to`', path: ['to'] });

export const ReconciliationParamsSchema = z.strictObject({ id: z.string().regex(REPORT_ID_PATTERN, 'not a reconciliation id') });

export const MAX_RECONCILIATION_PAGE = 100;
export const ListReconciliationsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_RECONCILIATION_PAGE).default(20).describe(`Page size, at most ${MAX_RECONCILIATION_PAGE}`),
  cursor: z.string().min(1).max(512).optional().describe('`nextCursor` of the previous page'),
});

const Side = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));
const Decimal = z.string().describe('Decimal string in major units');

export const ReconciliationStartedSchema = z.object({
  id: z.string(),
  status: z.literal('RUNNING'),
  from: z.string(),
  to: z.string(),
});

const SummaryFields = {
  id: z.string(),
  status: z.enum(RECONCILIATION_STATUSES),
  from: z.string(),
  to: z.string(),
  trigger: z.enum(['schedule', 'api']),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  total: z.number().int().describe('Payments to check, counted at the start'),
  checked: z.number().int(),
  matched: z.number().int(),
  pending: z.number().int().describe('Payments not final yet (listed in `pendingPayments`)'),
  exceptionCount: z.number().int().describe('Payments with at least one exception'),
  totals: z
    .array(z.object({ currency: z.string(), paid: Decimal, refunded: Decimal, net: Decimal }))
    .describe("CodePay's confirmed figures for the payments created in the window: paid orders (trans_status 2), succeeded refunds, and the difference"),
  error: z.string().optional(),
};

export const ReconciliationSummarySchema = z.object(SummaryFields);

export const ReconciliationSchema = z.object({
  ...SummaryFields,
  exceptions: z.array(z.object({ merchantOrderNo: z.string(), kind: z.enum(EXCEPTION_KINDS), ours: Side, codepay: Side })),
  pendingPayments: z.array(z.object({ merchantOrderNo: z.string(), ageSeconds: z.number().int(), reason: z.string() })),
  adopted: z
    .array(z.object({ merchantOrderNo: z.string(), refundNo: z.string(), amount: Decimal, currency: z.string(), at: z.string() }))
    .describe("Refunds made outside this service (CodePay's merchant portal) that were adopted in the window"),
});

export const ReconciliationListSchema = z.object({
  data: z.array(ReconciliationSummarySchema),
  nextCursor: z.string().nullable(),
});

export type ReconciliationResponse = z.infer<typeof ReconciliationSchema>;
export type ReconciliationSummaryResponse = z.infer<typeof ReconciliationSummarySchema>;
