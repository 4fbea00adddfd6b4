import { orderFactFields, refundFactFields } from '../codepay/schemas';
import type { OrderFact, RefundFact } from '../codepay/model';
import { toDecimalString } from '../codepay/money';
import { formatGatewayTime } from './gateway-time';
import type { SandboxOrder, SandboxRefund } from './ledger';

/**
 * Orders and refunds as CodePay shows them in Query responses and notifications
 * (docs/codepay-protocol.md §4.4–4.6): the facts the client reads (model.ts) written with the
 * client's own inverse (schemas.ts), plus the fields only the gateway knows. Amounts are decimal
 * strings.
 */
export type WireFields = Record<string, string>;

/** `trans_type` as the sandbox reports it ([decided]: 1 = payment, 2 = refund). */
export const TransType = { PAYMENT: '1', REFUND: '2' } as const;

const time = (ms: number | undefined) => (ms === undefined ? undefined : formatGatewayTime(ms));

export function orderFact(order: SandboxOrder): OrderFact {
  return {
    merchantOrderNo: order.merchantOrderNo,
    transNo: order.transNo,
    transStatus: order.status,
    currency: order.currency,
    orderAmountMinor: order.amountMinor,
    paidAmountMinor: order.paidAmountMinor,
    payMethodId: order.paidMethodId ?? order.payMethodId,
    attach: order.attach,
    endTime: time(order.endTime),
    errorCode: order.errorCode,
    errorMessage: order.errorMessage,
  };
}

export function refundFact(refund: SandboxRefund): RefundFact {
  return {
    refundNo: refund.refundNo,
    transNo: refund.transNo,
    origTransNo: refund.origTransNo,
    origMerchantOrderNo: refund.origMerchantOrderNo,
    transStatus: refund.status,
    currency: refund.currency,
    amountMinor: refund.amountMinor,
    endTime: time(refund.endTime),
    errorCode: refund.errorCode,
    errorMessage: refund.errorMessage,
  };
}

export function orderWireFields(order: SandboxOrder): WireFields {
  const fields: WireFields = {
    ...orderFactFields(orderFact(order)),
    trans_type: TransType.PAYMENT,
    trans_amount: toDecimalString(order.amountMinor, order.currency),
  };
  if (order.payChannelTransNo) fields.pay_channel_trans_no = order.payChannelTransNo;
  return fields;
}

export function refundWireFields(refund: SandboxRefund): WireFields {
  return {
    ...refundFactFields(refundFact(refund)),
    trans_type: TransType.REFUND,
    order_amount: toDecimalString(refund.orderAmountMinor, refund.currency),
  };
}
