/**
 * The payment entity as plain data and the pure functions that move it (docs/design.md §2). The
 * workflow only feeds facts in and acts on the result, so every rule here is unit-tested without
 * a server. Time is passed in (`now`, ISO-8601) to keep these functions deterministic.
 */
import type { OrderFact } from '../codepay/model';
import { TransStatus } from '../codepay/trans-status';
import { appendEvents, emptyEventLog, type EventLog } from './event-log';
import type { PaymentEvent, PaymentInput, PaymentReview, PaymentStatus, PaymentView, RefundRequest, RefundView, WebhookRedelivery } from './messages';

export interface PaymentState {
  merchantOrderNo: string;
  amountMinor: number;
  currency: string;
  description: string;
  status: PaymentStatus;
  paidAmountMinor: number;
  /** Σ succeeded refunds. */
  refundedAmountMinor: number;
  codepayTransNo?: string;
  cashierUrl?: string;
  refundedByCancel: boolean;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  paidAt?: string;
  /** Why we asked CodePay to close the order: decides whether a later "closed" reads as EXPIRED or CANCELLED. */
  closing?: 'expiry' | 'cancel';
  /** Last `trans_status` CodePay reported, known or not. */
  lastTransStatus?: number;
  refunds: RefundView[];
  log: EventLog;
  review?: PaymentReview;
  error?: { code: string; message: string };
}

export type FactSource = 'notification' | 'poll' | 'reconcile';

export interface Outcome {
  state: PaymentState;
  /** The events this step appended to the log. */
  events: PaymentEvent[];
}

/** No further money movement can happen: the workflow may complete once handlers are done. */
export const CLOSED_STATUSES: ReadonlySet<PaymentStatus> = new Set(['REFUNDED', 'CANCELLED', 'EXPIRED', 'FAILED']);
export const REFUNDABLE_STATUSES: ReadonlySet<PaymentStatus> = new Set(['PAID', 'PARTIALLY_REFUNDED']);

export function initialPaymentState(input: PaymentInput, now: string): PaymentState {
  const expiresAt = new Date(Date.parse(now) + input.expiresInSeconds * 1000).toISOString();
  const state: PaymentState = {
    merchantOrderNo: input.merchantOrderNo,
    amountMinor: input.amountMinor,
    currency: input.currency,
    description: input.description,
    status: 'CREATING',
    paidAmountMinor: 0,
    refundedAmountMinor: 0,
    refundedByCancel: false,
    createdAt: now,
    updatedAt: now,
    expiresAt,
    refunds: [],
    log: emptyEventLog(),
  };
  return record(state, [{ at: now, type: 'created', message: `payment of ${input.amountMinor} ${input.currency} (minor units) created`, data: { expiresAt } }]).state;
}

export function pendingRefundMinor(state: PaymentState): number {
  return state.refunds.filter((r) => r.status === 'PENDING').reduce((sum, r) => sum + r.amountMinor, 0);
}

/**
 * What the wait through the refund window depends on: its status, the refunds in flight and the
 * moment its window runs from. A step that changes nothing of these (a duplicate notification
 * recorded in the log) leaves the wait and its timer alone.
 */
export function refundWindowWatch(state: PaymentState): string {
  return `${state.status} ${pendingRefundMinor(state)} ${state.paidAt ?? state.updatedAt}`;
}

/** When the refund window ends: `windowMs` after the payment (or the step that last moved it, for a payment never paid). */
export function refundWindowEndsMs(state: PaymentState, windowMs = 0): number {
  return Date.parse(state.paidAt ?? state.updatedAt) + windowMs;
}

/**
 * Whether the workflow may complete: no refund in flight, and the payment closed or its refund
 * window over — except a payment in review, which waits for the operator's decision.
 */
export function mayComplete(state: PaymentState, nowMs: number, windowMs?: number): boolean {
  if (pendingRefundMinor(state) > 0) return false;
  return CLOSED_STATUSES.has(state.status) || (nowMs >= refundWindowEndsMs(state, windowMs) && state.status !== 'NEEDS_REVIEW');
}

/**
 * When the refund window's wait next needs the clock: the window's end while it is still ahead;
 * undefined (wait for a change alone) once it has passed, for a closed payment, and for a payment
 * in review, which waits for the operator's decision whatever the time.
 */
export function refundWindowDeadlineMs(state: PaymentState, nowMs: number, windowMs?: number): number | undefined {
  if (CLOSED_STATUSES.has(state.status) || state.status === 'NEEDS_REVIEW') return undefined;
  const endsMs = refundWindowEndsMs(state, windowMs);
  return endsMs > nowMs ? endsMs : undefined;
}

export function refundableMinor(state: PaymentState): number {
  if (!REFUNDABLE_STATUSES.has(state.status)) return 0;
  return Math.max(0, state.paidAmountMinor - state.refundedAmountMinor - pendingRefundMinor(state));
}

export function paymentView(state: PaymentState): PaymentView {
  return {
    merchantOrderNo: state.merchantOrderNo,
    status: state.status,
    amountMinor: state.amountMinor,
    currency: state.currency,
    description: state.description,
    paidAmountMinor: state.paidAmountMinor,
    refundedAmountMinor: state.refundedAmountMinor,
    pendingRefundMinor: pendingRefundMinor(state),
    refundableAmountMinor: refundableMinor(state),
    codepayTransNo: state.codepayTransNo,
    cashierUrl: state.cashierUrl,
    refundedByCancel: state.refundedByCancel,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    expiresAt: state.expiresAt,
    refunds: state.refunds,
    events: state.log.recent,
    eventsOmitted: state.log.omitted,
    review: state.review,
    error: state.error,
  };
}

export function record(state: PaymentState, events: PaymentEvent[]): Outcome {
  return { state: { ...state, log: appendEvents(state.log, events) }, events };
}

export function transition(state: PaymentState, to: PaymentStatus, patch: Partial<PaymentState>, now: string, why: string): Outcome {
  const next: PaymentState = { ...state, ...patch, status: to, updatedAt: now };
  return record(next, [{ at: now, type: 'transition', message: `${state.status} → ${to}: ${why}`, data: { from: state.status, to } }]);
}

function toReview(state: PaymentState, now: string, reason: string, fact: OrderFact): Outcome {
  const evidence = {
    transStatus: fact.transStatus,
    transNo: fact.transNo ?? null,
    currency: fact.currency ?? null,
    orderAmountMinor: fact.orderAmountMinor ?? null,
    paidAmountMinor: fact.paidAmountMinor ?? null,
    expectedAmountMinor: state.amountMinor,
    expectedCurrency: state.currency,
    previousStatus: state.status,
  };
  return flagForReview(state, reason, evidence, now);
}

/** An operator's redelivery of a merchant webhook event: a line in the log, nothing else changes. */
export function noteRedelivery(state: PaymentState, redelivery: WebhookRedelivery, now: string): Outcome {
  const { eventId, operator } = redelivery;
  return record(state, [{ at: now, type: 'webhook', message: `webhook event ${eventId} redelivered by ${operator}`, data: { eventId, operator } }]);
}

/** Evidence disagrees with what we recorded: stop and keep the evidence for an operator. */
export function flagForReview(state: PaymentState, reason: string, evidence: Record<string, string | number | null>, now: string): Outcome {
  const moved = transition(state, 'NEEDS_REVIEW', { review: { reason, evidence } }, now, reason);
  const reviewEvent: PaymentEvent = { at: now, type: 'review', message: reason, data: evidence };
  return { state: { ...moved.state, log: appendEvents(moved.state.log, [reviewEvent]) }, events: [...moved.events, reviewEvent] };
}

/** Why a "paid" fact cannot be taken at face value, or undefined when currency, paid and order amount match. */
export function paidMismatch(state: PaymentState, fact: OrderFact): string | undefined {
  if (fact.currency !== undefined && fact.currency !== state.currency) return `paid in ${fact.currency}, expected ${state.currency}`;
  const paid = fact.paidAmountMinor ?? fact.orderAmountMinor;
  if (paid === undefined) return 'paid without an amount';
  if (paid !== state.amountMinor) return `paid ${paid} minor units, expected ${state.amountMinor}`;
  // Both amounts are CodePay's word: a matching paid_amount does not excuse another order_amount.
  if (fact.orderAmountMinor !== undefined && fact.orderAmountMinor !== state.amountMinor) {
    return `order amount ${fact.orderAmountMinor} minor units, expected ${state.amountMinor}`;
  }
  return undefined;
}

function observation(fact: OrderFact, source: FactSource, now: string, note?: string): PaymentEvent {
  const known = (Object.values(TransStatus) as number[]).includes(fact.transStatus);
  const verb = source === 'notification' ? 'notified' : 'polled';
  const message = `${source}: trans_status ${fact.transStatus}${known ? '' : ' (unknown, still polling)'}${note ? ` — ${note}` : ''}`;
  const data: Record<string, string | number> = { transStatus: fact.transStatus, source };
  if (fact.transNo !== undefined) data.transNo = fact.transNo;
  return { at: now, type: verb, message, data };
}

function ignored(state: PaymentState, fact: OrderFact, source: FactSource, now: string, why: string): Outcome {
  return record(state, [{ at: now, type: 'ignored', message: `${source} trans_status ${fact.transStatus} not applied: ${why}`, data: { transStatus: fact.transStatus, status: state.status } }]);
}

/**
 * The one transition function both notifications and poll results feed. A fact that repeats what
 * is known changes nothing but the log; a fact that disagrees with the recorded money (amount,
 * currency, paid after close) moves the payment to NEEDS_REVIEW with the evidence kept.
 */
export function applyOrderFact(state: PaymentState, fact: OrderFact, source: FactSource, now: string): Outcome {
  if (fact.merchantOrderNo !== state.merchantOrderNo) {
    return ignored(state, fact, source, now, `fact is about order ${fact.merchantOrderNo}`);
  }
  const observed = record({ ...state, lastTransStatus: fact.transStatus }, [observation(fact, source, now)]);
  const decided = decide(observed.state, fact, source, now);
  return { state: decided.state, events: [...observed.events, ...decided.events] };
}

function decide(state: PaymentState, fact: OrderFact, source: FactSource, now: string): Outcome {
  const unchanged: Outcome = { state, events: [] };
  const s = fact.transStatus;
  const transNo = { codepayTransNo: fact.transNo ?? state.codepayTransNo };
  switch (state.status) {
    case 'CREATING':
    case 'AWAITING_PAYMENT': {
      if (s === TransStatus.SUCCESS) {
        const mismatch = paidMismatch(state, fact);
        if (mismatch) return toReview({ ...state, ...transNo }, now, mismatch, fact);
        return transition(state, 'PAID', { ...transNo, paidAmountMinor: state.amountMinor, paidAt: now }, now, 'CodePay reports it paid');
      }
      if (s === TransStatus.CLOSED) {
        // CodePay closes unpaid orders itself at `expires`, possibly before our own close call.
        if (state.closing === 'expiry' || Date.parse(now) >= Date.parse(state.expiresAt)) {
          return transition(state, 'EXPIRED', transNo, now, 'closed at CodePay after the deadline');
        }
        if (state.closing === 'cancel') return transition(state, 'CANCELLED', transNo, now, 'closed at CodePay on request');
        const error = { code: fact.errorCode ?? 'CLOSED', message: fact.errorMessage ?? 'CodePay closed the order' };
        return transition(state, 'FAILED', { ...transNo, error }, now, `CodePay closed the order (${error.code})`);
      }
      if (s === TransStatus.CANCELLED) {
        // Status 3 means the order had been paid and CodePay refunded the shopper on cancel: a paid fact too.
        const mismatch = paidMismatch(state, fact);
        if (mismatch) return toReview({ ...state, ...transNo }, now, mismatch, fact);
        return transition(state, 'CANCELLED', { ...transNo, paidAmountMinor: state.amountMinor, refundedByCancel: true }, now, 'cancelled at CodePay after a payment; the shopper was refunded');
      }
      return unchanged;
    }
    case 'PAID':
    case 'PARTIALLY_REFUNDED': {
      if (s === TransStatus.SUCCESS) {
        const mismatch = paidMismatch(state, fact);
        return mismatch ? toReview(state, now, mismatch, fact) : unchanged;
      }
      if (s === TransStatus.CANCELLED && state.status === 'PAID' && state.refundedAmountMinor === 0 && pendingRefundMinor(state) === 0) {
        return transition(state, 'CANCELLED', { ...transNo, refundedByCancel: true }, now, 'cancelled at CodePay; the shopper was refunded');
      }
      if (s === TransStatus.CANCELLED || s === TransStatus.CLOSED) {
        return toReview(state, now, `CodePay reports trans_status ${s} for a payment recorded as ${state.status}`, fact);
      }
      if (s === TransStatus.CREATED || s === TransStatus.PAYING) return ignored(state, fact, source, now, 'older than the recorded payment');
      return unchanged;
    }
    default: {
      // Final (or under review): log, do not apply — except money that arrived after we closed.
      const closedUnpaid = state.status === 'EXPIRED' || state.status === 'FAILED' || (state.status === 'CANCELLED' && !state.refundedByCancel);
      if (s === TransStatus.SUCCESS && closedUnpaid) return toReview(state, now, `paid after the order was recorded as ${state.status}`, fact);
      return ignored(state, fact, source, now, `payment is already ${state.status}`);
    }
  }
}

export function markOrderCreated(state: PaymentState, cashierUrl: string, now: string): Outcome {
  if (state.status !== 'CREATING') return record({ ...state, cashierUrl }, []);
  return transition(state, 'AWAITING_PAYMENT', { cashierUrl }, now, 'cashier URL issued');
}

export function markCreationFailed(state: PaymentState, error: { code: string; message: string }, now: string): Outcome {
  return transition(state, 'FAILED', { error }, now, `order creation rejected (${error.code})`);
}

/** Records that we asked CodePay to close the order, so its "closed" answer reads as `reason`. */
export function markClosing(state: PaymentState, reason: 'expiry' | 'cancel', now: string, operator?: string): Outcome {
  if (!operator) return record({ ...state, closing: reason }, [{ at: now, type: 'cancel', message: `closing the order at CodePay (${reason})` }]);
  return record({ ...state, closing: reason }, [{ at: now, type: 'cancel', message: `closing the order at CodePay (${reason} by operator ${operator})`, data: { operator } }]);
}

export function reserveRefund(state: PaymentState, request: RefundRequest, now: string): Outcome {
  const refund: RefundView = { refundNo: request.refundNo, amountMinor: request.amountMinor, status: 'PENDING', reason: request.reason, requestedAt: now };
  const by: Record<string, string> = request.operator ? { operator: request.operator } : {};
  return record({ ...state, refunds: [...state.refunds, refund] }, [
    {
      at: now,
      type: 'refund',
      message: `refund ${request.refundNo} of ${request.amountMinor} minor units reserved${request.operator ? ` by operator ${request.operator}` : ''}`,
      data: { refundNo: request.refundNo, amountMinor: request.amountMinor, ...by },
    },
  ]);
}

/** Applies a refund's final result; only a pending refund moves, so a repeated result changes nothing. */
export function settleRefund(state: PaymentState, result: Pick<RefundView, 'refundNo' | 'status' | 'codepayTransNo' | 'error' | 'completedAt'>, now: string): Outcome {
  const current = state.refunds.find((r) => r.refundNo === result.refundNo);
  if (!current || current.status !== 'PENDING' || result.status === 'PENDING') return { state, events: [] };
  const settled: RefundView = { ...current, status: result.status, codepayTransNo: result.codepayTransNo, error: result.error, completedAt: result.completedAt ?? now };
  const refunds = state.refunds.map((r) => (r.refundNo === result.refundNo ? settled : r));
  const refundedAmountMinor = state.refundedAmountMinor + (result.status === 'SUCCEEDED' ? current.amountMinor : 0);
  const logged = record({ ...state, refunds, refundedAmountMinor }, [
    { at: now, type: 'refund', message: `refund ${current.refundNo} ${result.status}${result.error ? ` (${result.error.code})` : ''}`, data: { refundNo: current.refundNo, amountMinor: current.amountMinor, status: result.status } },
  ]);
  if (result.status !== 'SUCCEEDED' || !REFUNDABLE_STATUSES.has(state.status)) return logged;
  const to: PaymentStatus = refundedAmountMinor >= state.paidAmountMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  if (to === state.status) return logged;
  const moved = transition(logged.state, to, {}, now, `refunded ${refundedAmountMinor} of ${state.paidAmountMinor} minor units`);
  return { state: moved.state, events: [...logged.events, ...moved.events] };
}
