import { toDecimalString } from '../codepay/money';
import type { SandboxGateway } from './gateway';
import type { SandboxOrder, SandboxRefund } from './ledger';

/**
 * The gateway's own record as the control API shows it (docs/design.md §5): every amount both as a
 * decimal string and in minor units, times in ISO-8601 UTC, with the notification attempts.
 */
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const money = (minor: number | undefined, currency: string) =>
  minor === undefined ? undefined : { decimal: toDecimalString(minor, currency), minor };

export function refundRecord(refund: SandboxRefund) {
  const amount = money(refund.amountMinor, refund.currency)!;
  return {
    refundNo: refund.refundNo,
    transNo: refund.transNo,
    origMerchantOrderNo: refund.origMerchantOrderNo,
    origTransNo: refund.origTransNo,
    appId: refund.appId,
    merchantNo: refund.merchantNo,
    status: refund.status,
    currency: refund.currency,
    amount: amount.decimal,
    amountMinor: amount.minor,
    description: refund.description,
    notifyUrl: refund.notifyUrl,
    createdAt: iso(refund.createdAt),
    endTime: iso(refund.endTime),
    errorCode: refund.errorCode,
    errorMessage: refund.errorMessage,
    notifications: refund.notifications,
  };
}

export function orderRecord(gateway: SandboxGateway, order: SandboxOrder) {
  const c = order.currency;
  const paid = money(order.paidAmountMinor, c);
  const refunded = money(gateway.ledger.refundedMinor(order), c)!;
  const cancelRefund = money(order.cancelRefundMinor, c);
  return {
    merchantOrderNo: order.merchantOrderNo,
    transNo: order.transNo,
    appId: order.appId,
    merchantNo: order.merchantNo,
    status: order.status,
    currency: c,
    amount: toDecimalString(order.amountMinor, c),
    amountMinor: order.amountMinor,
    paidAmount: paid?.decimal,
    paidAmountMinor: paid?.minor,
    refundedAmount: refunded.decimal,
    refundedAmountMinor: refunded.minor,
    /** Given back to the shopper when a paid order was cancelled. */
    cancelRefundAmount: cancelRefund?.decimal,
    cancelRefundAmountMinor: cancelRefund?.minor,
    description: order.description,
    payMethodId: order.payMethodId,
    paidMethodId: order.paidMethodId,
    attach: order.attach,
    notifyUrl: order.notifyUrl,
    returnUrl: order.returnUrl,
    payUrl: gateway.payUrl(order),
    createdAt: iso(order.createdAt),
    expiresAt: iso(order.expiresAt),
    endTime: iso(order.endTime),
    errorCode: order.errorCode,
    errorMessage: order.errorMessage,
    refunds: gateway.ledger.refundsOf(order).map(refundRecord),
    notifications: order.notifications,
  };
}

export type OrderRecord = ReturnType<typeof orderRecord>;
export type RefundRecord = ReturnType<typeof refundRecord>;
