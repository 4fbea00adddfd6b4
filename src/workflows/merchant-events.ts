/**
 * Which merchant webhook events a change of the payment emits (docs/webhooks.md), as a pure function
 * of the payment before and after one committed step: every settled refund gives
 * `refund.succeeded`/`refund.failed`, then every status change gives `payment.<status>`. Comparing
 * states rather than reading the step's log makes every transition emit, whoever adds it.
 */
import { PAYMENT_STATUSES, type MerchantEvent, type MerchantEventType, type PaymentStatus } from './messages';
import { paymentView, type PaymentState } from './payment-state';

/** The webhook-id of the payment's `seq`-th event: the same for a retried emission or delivery. */
export const merchantEventId = (merchantOrderNo: string, seq: number) => `evt_${merchantOrderNo}_${seq}`;

export const paymentEventType = (status: PaymentStatus) => `payment.${status.toLowerCase()}` as MerchantEventType;

/** `CREATING` is internal: the merchant hears first of `AWAITING_PAYMENT` (or `FAILED`). */
const SILENT_STATUSES: ReadonlySet<PaymentStatus> = new Set(['CREATING']);

/** Every event type the merchant can receive. */
const PAYMENT_EVENT_TYPES = PAYMENT_STATUSES.filter((s) => !SILENT_STATUSES.has(s)).map(paymentEventType);
export const MERCHANT_EVENT_TYPES: readonly [MerchantEventType, ...MerchantEventType[]] = [PAYMENT_EVENT_TYPES[0]!, ...PAYMENT_EVENT_TYPES.slice(1), 'refund.succeeded', 'refund.failed'];

/** Events numbered from `nextSeq` (1-based, per payment). */
export function merchantEventsBetween(before: PaymentState, after: PaymentState, nextSeq: number, now: string): MerchantEvent[] {
  const kinds: { type: MerchantEventType; refundNo?: string }[] = [];
  for (const refund of after.refunds) {
    if (refund.status === 'PENDING') continue;
    const earlier = before.refunds.find((r) => r.refundNo === refund.refundNo);
    if (earlier && earlier.status !== 'PENDING') continue;
    kinds.push({ type: refund.status === 'SUCCEEDED' ? 'refund.succeeded' : 'refund.failed', refundNo: refund.refundNo });
  }
  if (after.status !== before.status && !SILENT_STATUSES.has(after.status)) kinds.push({ type: paymentEventType(after.status) });
  if (kinds.length === 0) return [];
  const payment = paymentView(after);
  return kinds.map(({ type, refundNo }, i) => {
    const seq = nextSeq + i;
    return { id: merchantEventId(after.merchantOrderNo, seq), seq, type, timestamp: now, payment, ...(refundNo ? { refundNo } : {}) };
  });
}
