/**
 * How workflows call the CodePay activities: one retry policy (exponential backoff, never
 * retrying a business rejection or a configuration error) and the helpers that read a rejection
 * back out of an activity failure.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities, proxyLocalActivities, type ActivityInterfaceFor, type ActivityOptions } from '@temporalio/workflow';
import type { CodePayActivities } from '../activities/codepay-activities';
import { LOCAL_FIRST_ATTEMPT, locallyFirst, type Executable } from './local-first';
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

const firstAttempt = proxyLocalActivities<CodePayActivities>(LOCAL_FIRST_ATTEMPT);

type CallName = keyof CodePayActivities;
type Call<K extends CallName> = Executable<Parameters<CodePayActivities[K]>, Awaited<ReturnType<CodePayActivities[K]>>>;

/**
 * `remote[name]` tried first as a local activity (local-first.ts): one marker event instead of an
 * activity task. Only for calls that are safe to run inside a workflow task that may be lost
 * (docs/design.md, "What may run inside a workflow task"). CodePay's rejection and configuration
 * errors end the call as they would in `remote`.
 */
function localFirst<K extends CallName>(name: K, remote: ActivityInterfaceFor<CodePayActivities>): Call<K> {
  return { executeWithOptions: (options, args) => locallyFirst(firstAttempt[name] as unknown as Call<K>, remote[name] as unknown as Call<K>, options, args, retryable) };
}

/** The payment workflow's CodePay calls, each with how it runs and why that is safe. */
export const paymentCalls = {
  /**
   * Local-first. Idempotent (CodePay keys the order on merchant_order_no and answers a repeat with
   * the same order), and a lost task leaves nothing decided on it: its startPayment answer (the
   * cashier URL) never left the worker, and the retried task creates, or finds, the same order.
   */
  createWapOrder: localFirst('createWapOrder', persistentCalls),
  /**
   * An activity task: recorded before it runs. A cancel done at CodePay inside a lost task would
   * refund the shopper while the payment, replayed without it, still admitted refunds (issue 20).
   */
  cancelOrder: persistentCalls.cancelOrder,
  /** Local-first: a query changes nothing at CodePay; a lost task only loses the answer, asked again. */
  pollOrder: localFirst('queryOrder', pollCalls),
  /** The same, retried through outages: its answer decides money. */
  confirmOrder: localFirst('queryOrder', confirmingCalls),
  /** Local-first, retried through outages: whether a refund made outside the service is adopted. */
  confirmRefund: localFirst('queryRefund', confirmingCalls),
};

/** What an activity's failure carries: the activity's own error. */
const failureCause = (error: unknown): unknown => (error instanceof ActivityFailure ? error.cause : error);

/** Whether the activity's retry policy would try again after this failure. */
function retryable(error: unknown): boolean {
  const cause = failureCause(error);
  return !(cause instanceof ApplicationFailure && (cause.nonRetryable || NON_RETRYABLE.includes(cause.type ?? '')));
}

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
