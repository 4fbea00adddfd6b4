import { z } from 'zod';
import type { HttpClient } from './http';

/**
 * The sandbox ledger (`GET /sandbox/ledger`, docs/design.md §5): the gateway's own books, the truth the
 * workflows are reconciled against. Only the fields reconciliation reads are validated; the rest
 * of the record is allowed through.
 */
const NotificationAttemptSchema = z.looseObject({
  attempt: z.number(),
  at: z.string(),
  outcome: z.enum(['acked', 'rejected', 'failed', 'dropped']),
  duplicate: z.boolean().optional(),
  httpStatus: z.number().optional(),
});

export const LedgerRefundSchema = z.looseObject({
  refundNo: z.string(),
  transNo: z.string(),
  origMerchantOrderNo: z.string(),
  origTransNo: z.string(),
  status: z.number().int(),
  currency: z.string(),
  amountMinor: z.number().int(),
  endTime: z.string().optional(),
  notifications: z.array(NotificationAttemptSchema),
});

export const LedgerOrderSchema = z.looseObject({
  merchantOrderNo: z.string(),
  transNo: z.string(),
  status: z.number().int(),
  currency: z.string(),
  amountMinor: z.number().int(),
  paidAmountMinor: z.number().int().optional(),
  refundedAmountMinor: z.number().int(),
  cancelRefundAmountMinor: z.number().int().optional(),
  endTime: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  refunds: z.array(LedgerRefundSchema),
  notifications: z.array(NotificationAttemptSchema),
});

export const LedgerSchema = z.object({ orders: z.array(LedgerOrderSchema), refunds: z.array(LedgerRefundSchema) });

export type LedgerOrder = z.infer<typeof LedgerOrderSchema>;
export type LedgerRefund = z.infer<typeof LedgerRefundSchema>;
export type Ledger = z.infer<typeof LedgerSchema>;

export async function fetchLedger(sandbox: HttpClient): Promise<Ledger> {
  const answer = await sandbox.request('GET', '/sandbox/ledger');
  if (answer.status !== 200) throw new Error(`GET /sandbox/ledger answered ${answer.status}`);
  return LedgerSchema.parse(answer.json);
}
