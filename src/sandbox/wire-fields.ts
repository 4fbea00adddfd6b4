import { toDecimalString } from '../codepay/money';
import { formatGatewayTime } from './gateway-time';
import type { SandboxOrder, SandboxRefund } from './ledger';

/**
 * Orders and refunds as CodePay shows them in Query responses and notifications (PROTOCOL.md
 * §4.4–4.6). Amounts are decimal strings in major units, so no float ever appears on the wire.
 */
export type WireFields = Record<string, string | number | undefined>;

/** `trans_type` as the sandbox reports it ([decided]: 1 = payment, 2 = refund). */
export const TransType = { PAYMENT: 1, REFUND: 2 } as const;

const time = (ms: number | undefined) => (ms === undefined ? undefined : formatGatewayTime(ms));

export function orderWireFields(order: SandboxOrder): WireFields {
  const amount = toDecimalString(order.amountMinor, order.currency);
  return {
    merchant_order_no: order.merchantOrderNo,
    trans_no: order.transNo,
    trans_type: TransType.PAYMENT,
    trans_status: order.status,
    price_currency: order.currency,
    order_amount: amount,
    trans_amount: amount,
    paid_amount: order.paidAmountMinor === undefined ? undefined : toDecimalString(order.paidAmountMinor, order.currency),
    pay_method_id: order.paidMethodId ?? order.payMethodId,
    pay_channel_trans_no: order.payChannelTransNo,
    attach: order.attach,
    trans_end_time: time(order.endTime),
    trans_error_code: order.errorCode,
    trans_error_msg: order.errorMessage,
  };
}

export function refundWireFields(refund: SandboxRefund): WireFields {
  const amount = toDecimalString(refund.amountMinor, refund.currency);
  return {
    merchant_order_no: refund.refundNo,
    trans_no: refund.transNo,
    trans_type: TransType.REFUND,
    trans_status: refund.status,
    orig_merchant_order_no: refund.origMerchantOrderNo,
    orig_trans_no: refund.origTransNo,
    price_currency: refund.currency,
    order_amount: amount,
    trans_amount: amount,
    trans_end_time: time(refund.endTime),
    trans_error_code: refund.errorCode,
    trans_error_msg: refund.errorMessage,
  };
}

/** Drops absent fields, so `data` text and notification bodies carry only what is known. */
export function compact(fields: WireFields): Record<string, string | number> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
}
