import { toDecimalString } from '../codepay/money';
import type { PaymentRequest, PaymentView, RefundView } from '../workflows/messages';
import type { PaymentResponse, RefundResponse, StartPaymentResponse } from './payment-response';

/**
 * The workflows speak integer minor units; the merchant API speaks decimal strings in major units.
 * These are the only places where the two meet on the way out.
 */

export function refundResponse(refund: RefundView, currency: string): RefundResponse {
  return {
    refundNo: refund.refundNo,
    amount: toDecimalString(refund.amountMinor, currency),
    currency,
    status: refund.status,
    reason: refund.reason,
    codepayTransNo: refund.codepayTransNo,
    error: refund.error,
    requestedAt: refund.requestedAt,
    completedAt: refund.completedAt,
    origin: refund.origin ?? 'api',
  };
}

export function paymentResponse(view: PaymentView): PaymentResponse {
  const money = (minor: number) => toDecimalString(minor, view.currency);
  return {
    merchantOrderNo: view.merchantOrderNo,
    status: view.status,
    amount: money(view.amountMinor),
    currency: view.currency,
    description: view.description,
    paidAmount: money(view.paidAmountMinor),
    refundedAmount: money(view.refundedAmountMinor),
    pendingRefundAmount: money(view.pendingRefundMinor),
    refundableAmount: money(view.refundableAmountMinor),
    codepayTransNo: view.codepayTransNo,
    cashierUrl: view.cashierUrl,
    refundedByCancel: view.refundedByCancel,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    expiresAt: view.expiresAt,
    refunds: view.refunds.map((r) => refundResponse(r, view.currency)),
    events: view.events,
    review: view.review,
    error: view.error,
  };
}

export function startPaymentResponse(
  result: Pick<PaymentView, 'merchantOrderNo' | 'status' | 'cashierUrl' | 'expiresAt'>,
  request: Pick<PaymentRequest, 'amountMinor' | 'currency'>,
): StartPaymentResponse {
  return {
    merchantOrderNo: result.merchantOrderNo,
    status: result.status,
    cashierUrl: result.cashierUrl,
    expiresAt: result.expiresAt,
    amount: toDecimalString(request.amountMinor, request.currency),
    currency: request.currency,
  };
}
