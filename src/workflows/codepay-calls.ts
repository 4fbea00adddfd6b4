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
export const persistentCalls = proxyActivities<CodePayActivities>({ ...BASE, scheduleToCloseTimeout: '10m' });

/**
 * Queries whose answer decides money (confirming a notification, settling an accepted close):
 * retried with backoff through any outage, without a deadline, until CodePay answers.
 */
export const confirmingCalls = proxyActivities<CodePayActivities>(BASE);

/** Polls: a few quick attempts; a failed poll is logged and the next poll tries again. */
export const pollCalls = proxyActivities<CodePayActivities>({ ...BASE, retry: { ...BASE.retry, maximumAttempts: 3 } });

export interface GatewayRejection {
  code: string;
  message: string;
}

/** CodePay's business rejection carried by a failed activity, if that is what it was. */
export function gatewayRejection(error: unknown): GatewayRejection | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (!(cause instanceof ApplicationFailure) || cause.type !== PaymentErrorType.GATEWAY_REJECTED) return undefined;
  const details = cause.details?.[0] as Partial<GatewayRejection> | undefined;
  return { code: String(details?.code ?? 'REJECTED'), message: String(details?.message ?? cause.message) };
}

/** What to record when a call failed for any reason: CodePay's code, or the failure type. */
export function failureSummary(error: unknown): GatewayRejection {
  const rejection = gatewayRejection(error);
  if (rejection) return rejection;
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) return { code: cause.type ?? 'ERROR', message: cause.message };
  return { code: 'CODEPAY_UNAVAILABLE', message: error instanceof Error ? error.message : String(error) };
}
