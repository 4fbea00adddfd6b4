/**
 * How workflows call the CodePay activities: one retry policy (exponential backoff, never
 * retrying a business rejection or a configuration error) and the helpers that read a rejection
 * back out of an activity failure.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { CodePayActivities } from '../activities/codepay-activities';
import { PaymentErrorType } from './messages';

const NON_RETRYABLE = [PaymentErrorType.GATEWAY_REJECTED, 'CodePayConfigError'];

/** A bit above the client's default 10 s HTTP timeout (CODEPAY_TIMEOUT_MS), so the client times out first. */
const BASE: ActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Calls whose outcome the workflow must learn (create, cancel, submit refund): retried until they get an answer. */
const PERSISTENT: ActivityOptions = { ...BASE, scheduleToCloseTimeout: '10m' };
/** Polls: a few quick attempts; a failed poll is logged and the next poll tries again. */
const POLL: ActivityOptions = { ...BASE, retry: { ...BASE.retry, maximumAttempts: 3 } };

export const persistentCalls = proxyActivities<CodePayActivities>(PERSISTENT);
/**
 * Queries whose answer decides money (confirming a notification, settling an accepted close):
 * retried with backoff through any outage, without a deadline, until CodePay answers.
 */
export const confirmingCalls = proxyActivities<CodePayActivities>(BASE);
export const pollCalls = proxyActivities<CodePayActivities>(POLL);

/**
 * The payment workflow's CodePay calls, each an activity task, recorded before it runs. None runs
 * as a local activity: the payment takes queries (the API's reads, the webhook delivery's check)
 * and updates, and a query that rides on a workflow task running a local activity makes the SDK
 * record the activity's marker in that task and its consequences in a forced next one, after any
 * update that arrived meanwhile; a replay applies the result at once, so the history no longer
 * replays (chaos seeds 13 and 97; docs/design.md §2.9).
 */
export const paymentCalls = {
  /** Idempotent at CodePay (keyed on merchant_order_no), retried until it gets an answer. */
  createWapOrder: persistentCalls.createWapOrder,
  /** A cancel done at CodePay must be in the history before it runs (issue 20). */
  cancelOrder: persistentCalls.cancelOrder,
  /** A poll: a few quick attempts; the next poll asks again. */
  pollOrder: pollCalls.queryOrder,
  /** A query whose answer decides money, retried through outages. */
  confirmOrder: confirmingCalls.queryOrder,
  /** Whether a refund made outside the service is adopted, retried through outages. */
  confirmRefund: confirmingCalls.queryRefund,
};

/** What an activity's failure carries: the activity's own error. */
const failureCause = (error: unknown): unknown => (error instanceof ActivityFailure ? error.cause : error);

export interface GatewayRejection {
  code: string;
  message: string;
}

/** CodePay's business rejection carried by a failed activity, if that is what it was. */
export function gatewayRejection(error: unknown): GatewayRejection | undefined {
  const cause = failureCause(error);
  if (!(cause instanceof ApplicationFailure) || cause.type !== PaymentErrorType.GATEWAY_REJECTED) return undefined;
  const details = cause.details?.[0] as Partial<GatewayRejection> | undefined;
  return { code: String(details?.code ?? 'REJECTED'), message: String(details?.message ?? cause.message) };
}

/** What to record when a call failed for any reason: CodePay's code, or the failure type. */
export function failureSummary(error: unknown): GatewayRejection {
  const rejection = gatewayRejection(error);
  if (rejection) return rejection;
  const cause = failureCause(error);
  if (cause instanceof ApplicationFailure) return { code: cause.type ?? 'ERROR', message: cause.message };
  return { code: 'CODEPAY_UNAVAILABLE', message: error instanceof Error ? error.message : String(error) };
}
