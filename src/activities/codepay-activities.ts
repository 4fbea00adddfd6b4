/**
 * The five CodePay calls as Temporal activities: thin wrappers that translate the client's error
 * classes into what Temporal's retry policy understands. Idempotent by construction: CodePay keys
 * orders and refunds on their merchant_order_no, so a retried call cannot pay or refund twice.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { CodePayBusinessError, CodePayConfigError, CodePayUnverifiedError } from '../codepay/errors';
import type { CodePayClient, CreateWapOrderRequest, CreateWapOrderResult, OrderFact, RefundFact, SubmitRefundRequest } from '../codepay/model';
import { PaymentErrorType } from '../workflows/messages';

/** ApplicationFailure type of a configuration problem (keys, app id, method): never retried. */
export const CODEPAY_CONFIG_ERROR_TYPE = 'CodePayConfigError';

export interface CodePayActivities {
  createWapOrder(request: CreateWapOrderRequest): Promise<CreateWapOrderResult>;
  queryOrder(merchantOrderNo: string): Promise<OrderFact>;
  cancelOrder(merchantOrderNo: string): Promise<void>;
  submitRefund(request: SubmitRefundRequest): Promise<RefundFact>;
  queryRefund(refundNo: string): Promise<RefundFact>;
}

export function createCodePayActivities(client: CodePayClient): CodePayActivities {
  return {
    createWapOrder: (request) => classified(() => client.createWapOrder(request)),
    queryOrder: (merchantOrderNo) => classified(() => client.queryOrder(merchantOrderNo)),
    cancelOrder: (merchantOrderNo) => classified(() => client.cancelOrder(merchantOrderNo)),
    submitRefund: (request) => classified(() => client.submitRefund(request)),
    queryRefund: (refundNo) => classified(() => client.queryRefund(refundNo)),
  };
}

/** Business rejection and configuration errors end the retries; anything else (transport, unverified answers) is retried. */
async function classified<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CodePayBusinessError) {
      throw ApplicationFailure.nonRetryable(error.message, PaymentErrorType.GATEWAY_REJECTED, { code: error.code, message: error.codepayMessage });
    }
    if (error instanceof CodePayConfigError) {
      log.error('CodePay configuration error: fix the CodePay settings of this service', { method: error.method, code: error.code, error: error.message });
      throw ApplicationFailure.nonRetryable(error.message, CODEPAY_CONFIG_ERROR_TYPE, { code: error.code ?? null, method: error.method });
    }
    if (error instanceof CodePayUnverifiedError) {
      // Retried: the call may have been committed; a wrong gateway key shows up here, loudly.
      log.error('CodePay answer failed signature verification: check CODEPAY_GATEWAY_PUBLIC_KEY_FILE', { method: error.method, error: error.message });
    }
    throw error;
  }
}
