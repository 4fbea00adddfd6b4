import type { PaymentResponse } from '../../src/views/payment-response';
import { merchantEventId, paymentEventType } from '../../src/workflows/merchant-events';
import type { MerchantEventType, PaymentStatus } from '../../src/workflows/messages';
import type { Finding } from './reconcile';

/**
 * The merchant-webhook invariants of a chaos run, as a pure function (test/chaos/webhook-check.test.ts):
 * every event a payment's own log says happened was acknowledged by the merchant endpoint at least
 * once, under its deterministic id; per payment, first acknowledgements came in sequence order
 * (except events redelivered on request after they had failed: they arrive after later events);
 * nothing arrived that did not happen (unknown id, wrong type, other payment, bad signature); and
 * a webhook id names one event forever: every receipt of an id has the same type and subject
 * (a receiver that deduplicates on `webhook-id` would drop the second event otherwise).
 */
export interface Receipt {
  id: string;
  type: string;
  merchantOrderNo: string;
  /** What the event is about: the refund number of a refund event, else the payment's number. */
  subject?: string;
  /** The Standard Webhooks signature verified with the run's secret. */
  verified: boolean;
  /** The endpoint answered 2xx in time: a delivery. */
  acked: boolean;
  /** Arrival order across the run. */
  order: number;
  /** Arrival time (ms since the epoch) and the event's own `timestamp`, for latency figures. */
  receivedAt?: number;
  eventTimestamp?: string;
}

export interface WebhookCheck {
  expected: number;
  delivered: number;
  receipts: number;
  duplicates: number;
  violations: Finding[];
}

/** The events the payment's own log implies, in emission order: settled refunds, then status changes. */
export function expectedEvents(view: PaymentResponse): { id: string; type: MerchantEventType }[] {
  const types: MerchantEventType[] = [];
  for (const event of view.events) {
    if (event.type === 'transition' && typeof event.data?.to === 'string') types.push(paymentEventType(event.data.to as PaymentStatus));
    if (event.type === 'refund' && (event.data?.status === 'SUCCEEDED' || event.data?.status === 'FAILED')) {
      types.push(event.data.status === 'SUCCEEDED' ? 'refund.succeeded' : 'refund.failed');
    }
  }
  // A refund settles before the transition it causes, but both are logged by one step in that order already.
  return types.map((type, i) => ({ id: merchantEventId(view.merchantOrderNo, i + 1), type }));
}

export function checkWebhooks(views: Map<string, PaymentResponse | undefined>, receipts: readonly Receipt[], redelivered: ReadonlySet<string> = new Set()): WebhookCheck {
  const violations: Finding[] = [];
  const byPayment = new Map<string, Receipt[]>();
  for (const r of receipts) byPayment.set(r.merchantOrderNo, [...(byPayment.get(r.merchantOrderNo) ?? []), r]);
  let expectedCount = 0;
  let delivered = 0;

  for (const r of receipts.filter((x) => !x.verified)) {
    violations.push({ merchantOrderNo: r.merchantOrderNo, rule: 'webhook signed', expected: 'a valid Standard Webhooks signature', actual: `unverified ${r.id}` });
  }
  const byId = new Map<string, Set<string>>();
  for (const r of receipts.filter((x) => x.verified)) {
    const named = byId.get(r.id) ?? new Set<string>();
    named.add(`${r.type} of ${r.subject ?? r.merchantOrderNo}`);
    byId.set(r.id, named);
  }
  for (const [id, named] of byId) {
    if (named.size > 1) {
      const no = receipts.find((r) => r.id === id)!.merchantOrderNo;
      violations.push({ merchantOrderNo: no, rule: 'webhook id names one event', expected: `${id} always the same event`, actual: [...named].join(' / ') });
    }
  }
  for (const [no, got] of byPayment) {
    const view = views.get(no);
    if (!view) violations.push({ merchantOrderNo: no, rule: 'webhook invented', expected: 'a payment of this run', actual: `${got.length} receipts for an unknown payment` });
  }
  for (const [no, view] of views) {
    if (!view) continue;
    const expected = expectedEvents(view);
    if (view.events.length > 0 && view.events[0]?.type !== 'created') continue; // log truncated: cannot tell
    expectedCount += expected.length;
    const got = (byPayment.get(no) ?? []).filter((r) => r.verified);
    const known = new Map(expected.map((e) => [e.id, e.type]));
    for (const r of got) {
      const type = known.get(r.id);
      if (type === undefined) violations.push({ merchantOrderNo: no, rule: 'webhook invented', expected: `one of ${expected.length} events`, actual: `${r.id} (${r.type})` });
      else if (type !== r.type) violations.push({ merchantOrderNo: no, rule: 'webhook type', expected: `${r.id} is ${type}`, actual: r.type });
    }
    const firstAck = new Map<string, number>();
    for (const r of got) if (r.acked && !firstAck.has(r.id)) firstAck.set(r.id, r.order);
    for (const e of expected) {
      if (firstAck.has(e.id)) delivered += 1;
      else violations.push({ merchantOrderNo: no, rule: 'webhook delivered at least once', expected: `${e.id} (${e.type}) acknowledged`, actual: 'never acknowledged' });
    }
    const ackOrder = expected.filter((e) => firstAck.has(e.id) && !redelivered.has(e.id)).map((e) => firstAck.get(e.id)!);
    if (ackOrder.some((order, i) => i > 0 && order < ackOrder[i - 1]!)) {
      violations.push({ merchantOrderNo: no, rule: 'webhooks in order', expected: expected.map((e) => e.type).join(' → '), actual: `first acknowledgements out of order` });
    }
  }
  const acked = receipts.filter((r) => r.acked);
  return { expected: expectedCount, delivered, receipts: receipts.length, duplicates: acked.length - new Set(acked.map((r) => r.id)).size, violations };
}
