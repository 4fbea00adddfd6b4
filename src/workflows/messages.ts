/**
 * The payment and refund workflows' contract (docs/design.md §2.5): types, and every update, signal and
 * query defined once, shared by the workflows, the API, the webhook bridge and the tests.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CodePayNotification } from '../codepay/model';

export const PAYMENT_STATUSES = [
  'CREATING',
  'AWAITING_PAYMENT',
  'PAID',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
  'CANCELLED',
  'EXPIRED',
  'FAILED',
  'NEEDS_REVIEW',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export type RefundStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export const paymentWorkflowId = (merchantOrderNo: string) => `payment-${merchantOrderNo}`;
export const refundWorkflowId = (refundNo: string) => `refund-${refundNo}`;

/** What the merchant asked for; a repeated start is compared with it (api/payment-request-match.ts). */
export interface PaymentRequest {
  merchantOrderNo: string;
  amountMinor: number;
  currency: string;
  description: string;
  returnUrl?: string;
  payMethodId?: string;
  expiresInSeconds: number;
  attach?: string;
  language?: string;
  shopper?: { ip?: string; userAgent?: string; os?: 'ANDROID' | 'IOS' };
}

export interface PaymentInput extends PaymentRequest {
  /** Absolute URL CodePay posts notifications to (built from PUBLIC_BASE_URL). */
  notifyUrl?: string;
  /** Delays between polls of Query order, in ms; the last one repeats. */
  pollScheduleMs?: number[];
  /** How long the workflow stays open after PAID to take refunds, in ms. */
  refundWindowMs?: number;
}

export interface RefundRequest {
  refundNo: string;
  amountMinor: number;
  reason?: string;
  /** Set when an operator asked (the console): the operator key's identity, never the key. */
  operator?: string;
}

export interface RefundView {
  refundNo: string;
  amountMinor: number;
  status: RefundStatus;
  reason?: string;
  codepayTransNo?: string;
  error?: { code: string; message: string };
  requestedAt: string;
  completedAt?: string;
  /** `codepay`: made outside this service (CodePay's merchant portal) and adopted once CodePay confirmed it; absent means `api`. */
  origin?: RefundOrigin;
}

export type RefundOrigin = 'api' | 'codepay';

export interface PaymentEvent {
  /** ISO-8601 UTC, workflow time. */
  at: string;
  type: 'created' | 'notified' | 'polled' | 'transition' | 'refund' | 'cancel' | 'ignored' | 'review' | 'webhook' | 'error';
  message: string;
  data?: Record<string, string | number | boolean | null>;
  /** The trace (OpenTelemetry trace id) of the request or notification the event came from; absent when tracing is off. */
  traceId?: string;
}

export interface PaymentView {
  merchantOrderNo: string;
  status: PaymentStatus;
  amountMinor: number;
  currency: string;
  description: string;
  paidAmountMinor: number;
  refundedAmountMinor: number;
  /** Refunds admitted but not final yet. */
  pendingRefundMinor: number;
  refundableAmountMinor: number;
  codepayTransNo?: string;
  cashierUrl?: string;
  refundedByCancel: boolean;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  refunds: RefundView[];
  events: PaymentEvent[];
  /** Older events dropped from `events` to keep the workflow state bounded. */
  eventsOmitted?: number;
  /** Why the payment needs an operator, with the disagreeing evidence. */
  review?: PaymentReview;
  error?: { code: string; message: string };
}

/** An operator's decision on a NEEDS_REVIEW payment (operator-review.ts decides what it means). */
export const REVIEW_DECISIONS = ['accept_codepay_record', 'close_as_failed'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export interface ReviewRequest {
  decision: ReviewDecision;
  reason: string;
  /** Who decides: the operator key's identity (a hash prefix), never the key. */
  operator: string;
}

export interface PaymentReview {
  reason: string;
  evidence: Record<string, string | number | null>;
  /** Set once an operator decided; the payment has then left NEEDS_REVIEW. */
  resolution?: { decision: ReviewDecision; operator: string; reason: string; at: string; transStatus: number };
}

/**
 * Why the payment refused a command (and the ApplicationFailure types its activities fail with);
 * the API maps them to HTTP statuses (api/problem.ts), so they are part of the contract.
 */
export const PaymentErrorType = {
  /** Not cancellable or not refundable in the current status → 409. */
  INVALID_STATE: 'InvalidState',
  /** Same refundNo with a different amount → 409. */
  REFUND_NO_CONFLICT: 'RefundNoConflict',
  /** Amount ≤ 0 or above the refundable amount → 422. */
  REFUND_AMOUNT: 'RefundAmountNotAllowed',
  /** More than the per-payment refund count → 422. */
  REFUND_LIMIT: 'RefundLimitReached',
  /** CodePay rejected the call with a business error; details carry its code → 422. */
  GATEWAY_REJECTED: 'CodePayRejected',
  /** CodePay's record does not allow the operator's review decision → 409. */
  REVIEW_REFUSED: 'ReviewRefused',
  /** CodePay could not be queried for a decision that needs its record → 503. */
  CODEPAY_UNAVAILABLE: 'CodePayUnavailable',
} as const;
export type PaymentErrorTypeName = (typeof PaymentErrorType)[keyof typeof PaymentErrorType];

/** Who asks for a cancel when an operator does (the console): the payment's log names them. */
export interface CancelRequest {
  /** The operator key's identity, never the key. */
  operator: string;
}

/**
 * A merchant's or operator's request the payment acts on: a cancel, a refund, a review decision.
 * Sent as a signal, not an update (docs/design.md §2.9): a signal is a history event, so a replay
 * meets it where the live run did, whatever workflow task timed out around it. `commandId` is the
 * request's own (the API draws one per request); its outcome is read back with `getCommandOutcome`.
 */
export type PaymentCommand = { commandId: string } & (
  | { kind: 'cancel'; operator?: string }
  | { kind: 'refund'; request: RefundRequest }
  | { kind: 'review'; request: ReviewRequest }
);

/** How the payment answered one command: what an update would have returned, or its refusal. */
export type CommandOutcome =
  | { kind: 'cancel' | 'review'; payment: PaymentView }
  | { kind: 'refund'; refund: RefundView }
  | { kind: 'rejected'; rejection: CommandRejection };

/** A refusal, typed as the API maps it to an HTTP status (`PaymentErrorType`). */
export interface CommandRejection {
  type: PaymentErrorTypeName;
  message: string;
}

export const paymentCommandSignal = defineSignal<[PaymentCommand]>('paymentCommand');
/** The outcome of a command, or null while it is queued or in progress (or was never received). */
export const getCommandOutcomeQuery = defineQuery<CommandOutcome | null, [string]>('getCommandOutcome');
export const codepayNotificationSignal = defineSignal<[CodePayNotification]>('codepayNotification');
/** What a reconciliation found wrong with a payment (docs/design.md §11): evidence for an operator, never a money movement. */
export interface ReconciliationFinding {
  reconciliationId: string;
  reason: string;
  evidence: Record<string, string | number | null>;
}
export const reconciliationExceptionSignal = defineSignal<[ReconciliationFinding]>('reconciliationException');
/** An operator had a merchant webhook event sent again (the console): the payment's log names them. */
export interface WebhookRedelivery {
  eventId: string;
  /** The operator key's identity, never the key. */
  operator: string;
}
export const webhookRedeliveredSignal = defineSignal<[WebhookRedelivery]>('webhookRedelivered');
export const getPaymentQuery = defineQuery<PaymentView>('getPayment');
export const getRefundQuery = defineQuery<RefundView>('getRefund');

// ---- merchant webhooks (docs/webhooks.md) --------------------------------------------------------

export type MerchantEventType = `payment.${Lowercase<PaymentStatus>}` | 'refund.succeeded' | 'refund.failed';

/** One event for the merchant's endpoint; its `id` is the Standard Webhooks `webhook-id`. */
export interface MerchantEvent {
  /** Deterministic: the payment number and the payment's event sequence, so a retried emission is the same event. */
  id: string;
  seq: number;
  type: MerchantEventType;
  /** ISO-8601 UTC, workflow time of the change. */
  timestamp: string;
  /** The payment as it was right after the change. */
  payment: PaymentView;
  /** For refund events: which refund of `payment.refunds`. */
  refundNo?: string;
}

/**
 * What identifies one recorded version of a merchant event: the payment's answer to
 * `getMerchantEventStamps`. Two versions of one id (one handed over from a workflow task that was
 * then lost, one from the task that was recorded) differ in their timestamp (each task attempt has
 * its own workflow time) or type.
 */
export type MerchantEventStamp = Pick<MerchantEvent, 'id' | 'seq' | 'type' | 'timestamp' | 'refundNo'>;

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failing' | 'failed';

export interface WebhookDeliveryView {
  eventId: string;
  type: MerchantEventType;
  timestamp: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  /** HTTP status of the last attempt, if one was answered. */
  lastStatus?: number;
  lastError?: string;
  lastAttemptAt?: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
}

export const merchantWebhooksWorkflowId = (merchantOrderNo: string) => `webhooks-${merchantOrderNo}`;
/** The payment's new events, in order; repeated ids are ignored. */
export const merchantEventsSignal = defineSignal<[MerchantEvent[]]>('merchantEvents');
/** Send one event again (the merchant asked, or it failed); carries the event so a new run can send it. */
export const redeliverMerchantEventSignal = defineSignal<[MerchantEvent]>('redeliverMerchantEvent');
export const getWebhookDeliveriesQuery = defineQuery<WebhookDeliveryView[]>('getWebhookDeliveries');
/**
 * The payment's merchant events as its recorded history has them (a query sees only completed
 * workflow tasks): the delivery sends only a version the payment recorded.
 */
export const getMerchantEventStampsQuery = defineQuery<MerchantEventStamp[]>('getMerchantEventStamps');
/** The stored event, for a redelivery. */
export const getMerchantEventQuery = defineQuery<MerchantEvent | null, [string]>('getMerchantEvent');
