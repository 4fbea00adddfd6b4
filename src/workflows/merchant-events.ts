/**
 * Which merchant webhook events a change of the payment emits (docs/webhooks.md), as a pure function
 * of the payment before and after one committed step: every settled refund gives
 * `refund.succeeded`/`refund.failed`, then every status change gives `payment.<status>`. Comparing
 * states rather than reading the step's log makes every transition emit, whoever adds it.
 */
import { PAYMENT_STATUSES, type MerchantEvent, type MerchantEventStamp, type MerchantEventType, type PaymentStatus } from './messages';
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

export function merchantEventStamp(event: MerchantEvent): MerchantEventStamp {
  return { id: event.id, seq: event.seq, type: event.type, timestamp: event.timestamp, ...(event.refundNo === undefined ? {} : { refundNo: event.refundNo }) };
}

/**
 * One event is its id, type and refund: not its timestamp, which is workflow time and not stable
 * across a replay when a new event splits the task that emitted it (chaos: the original run stamped
 * the first task's time, the replayed run the next task's), so it cannot tell versions apart.
 */
export const sameEvent = (a: Pick<MerchantEventStamp, 'id' | 'type' | 'refundNo'>, b: Pick<MerchantEventStamp, 'id' | 'type' | 'refundNo'>) => a.id === b.id && a.type === b.type && a.refundNo === b.refundNo;

/**
 * Which of the versions handed over under one id the payment recorded (its index), if any: only
 * that one may be sent. None: the task that emitted them was lost and the recorded one has not
 * arrived yet, or the payment never recorded an event with this id.
 */
export function recordedVersion(versions: readonly MerchantEvent[], recorded: readonly MerchantEventStamp[]): number | undefined {
  const stamp = recorded.find((s) => s.id === versions[0]?.id);
  if (!stamp) return undefined;
  const index = versions.findIndex((v) => sameEvent(v, stamp));
  return index < 0 ? undefined : index;
}
