import type { Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { z } from 'zod';
import { toDecimalString } from '../codepay/money';
import { PAYMENT_STATUSES } from '../workflows/messages';
import {
  AmountMinorKey,
  CodePayTransNoKey,
  CurrencyKey,
  MerchantOrderNoKey,
  PaymentCreatedAtKey,
  PaymentStatusKey,
} from '../workflows/search-attributes';
import { translate, type TemporalTimeouts } from './payment-commands';
import { CurrencySchema, MerchantOrderNoSchema } from './payments-schemas';
import { PaymentStatusSchema } from '../views/payment-response';
import { type CursorKey, decodeCursor, encodeCursor } from './list-cursor';
import { withDeadline } from './temporal-failures';

/**
 * `GET /v1/payments` (docs/design.md §4): payments found through Temporal visibility by their search
 * attributes, newest run first, a page at a time. The cursor is Temporal's page token signed by the
 * server with a digest of the filters (list-cursor.ts): opaque, unforgeable, bound to its filters.
 */
export const MAX_PAGE_SIZE = 100;

/**
 * An instant visibility can compare: its UTC form must keep a 4-digit year, which an offset can push
 * out (`0000-01-01T00:00:00+01:00` is `-000001-12-31T23:00:00Z`); Temporal refuses those as invalid.
 */
const FilterInstantSchema = z.iso
  // abort: a string that is no datetime at all is not also checked for its range (it has none).
  .datetime({ offset: true, abort: true })
  .refine((v) => /^\d{4}-/.test(new Date(v).toISOString()), 'must lie within the years 0000–9999 in UTC');

export const ListPaymentsQuerySchema = z.strictObject({
  status: PaymentStatusSchema.optional(),
  currency: CurrencySchema.optional(),
  merchantOrderNo: MerchantOrderNoSchema.optional().describe('Only this payment (exact order number)'),
  createdAfter: FilterInstantSchema.optional().describe('Created at or after (ISO-8601; within the years 0000–9999 in UTC)'),
  createdBefore: FilterInstantSchema.optional().describe('Created before (ISO-8601; within the years 0000–9999 in UTC)'),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20).describe(`Page size, at most ${MAX_PAGE_SIZE}`),
  cursor: z.string().min(1).max(4096).optional().describe('`nextCursor` of the previous page, with the same filters; signed by the server, so only a cursor it issued is accepted'),
});
export type ListPaymentsQuery = z.infer<typeof ListPaymentsQuerySchema>;

export const PaymentSummarySchema = z.object({
  merchantOrderNo: z.string(),
  status: PaymentStatusSchema,
  amount: z.string(),
  currency: z.string(),
  codepayTransNo: z.string().optional(),
  createdAt: z.iso.datetime(),
});
export const PaymentListSchema = z.object({
  data: z.array(PaymentSummarySchema),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});
export type PaymentSummary = z.infer<typeof PaymentSummarySchema>;
export type PaymentList = z.infer<typeof PaymentListSchema>;

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The visibility query of the filters: one row per payment (not per continued-as-new run). */
export function visibilityQuery(filters: Pick<ListPaymentsQuery, 'status' | 'currency' | 'merchantOrderNo' | 'createdAfter' | 'createdBefore'>): string {
  const clauses = [`WorkflowType = 'paymentWorkflow'`, `ExecutionStatus != 'ContinuedAsNew'`];
  if (filters.status) clauses.push(`${PaymentStatusKey.name} = ${quote(filters.status)}`);
  if (filters.currency) clauses.push(`${CurrencyKey.name} = ${quote(filters.currency)}`);
  if (filters.merchantOrderNo) clauses.push(`${MerchantOrderNoKey.name} = ${quote(filters.merchantOrderNo)}`);
  if (filters.createdAfter) clauses.push(`${PaymentCreatedAtKey.name} >= ${quote(new Date(filters.createdAfter).toISOString())}`);
  if (filters.createdBefore) clauses.push(`${PaymentCreatedAtKey.name} < ${quote(new Date(filters.createdBefore).toISOString())}`);
  return clauses.join(' AND ');
}

export async function listPayments(
  client: Client,
  namespace: string,
  filters: ListPaymentsQuery,
  timeouts: Pick<TemporalTimeouts, 'requestMs'>,
  key: CursorKey,
): Promise<PaymentList> {
  const query = visibilityQuery(filters);
  const nextPageToken = filters.cursor ? decodeCursor(key(), query, filters.cursor) : undefined;
  const response = await withDeadline(client, timeouts.requestMs, () =>
    client.workflowService.listWorkflowExecutions({ namespace, query, pageSize: filters.limit, nextPageToken }),
  ).catch((err: unknown) => {
    throw translate(err);
  });
  const data = response.executions.flatMap((execution): PaymentSummary[] => {
    const attributes = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
    const merchantOrderNo = attributes.get(MerchantOrderNoKey);
    const status = PAYMENT_STATUSES.find((s) => s === attributes.get(PaymentStatusKey));
    const currency = attributes.get(CurrencyKey);
    const amountMinor = attributes.get(AmountMinorKey);
    if (!merchantOrderNo || !status || !currency || amountMinor === undefined) return [];
    const startSeconds = Number(execution.startTime?.seconds ?? 0);
    const createdAt = attributes.get(PaymentCreatedAtKey) ?? new Date(startSeconds * 1000);
    const transNo = attributes.get(CodePayTransNoKey);
    return [{ merchantOrderNo, status, amount: toDecimalString(amountMinor, currency), currency, ...(transNo ? { codepayTransNo: transNo } : {}), createdAt: createdAt.toISOString() }];
  });
  const token = response.nextPageToken;
  return { data, nextCursor: token && token.length > 0 ? encodeCursor(key(), query, token) : null };
}
