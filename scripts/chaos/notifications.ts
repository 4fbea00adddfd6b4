import type { KeyObject } from 'node:crypto';
import type { WireValue } from '../../src/codepay/canonical';
import { toDecimalString } from '../../src/codepay/money';
import { withSignature } from '../../src/codepay/signing';
import { formatGatewayTime } from '../../src/sandbox/gateway-time';
import type { LedgerOrder, LedgerRefund } from './ledger';

/**
 * CodePay notifications rebuilt from the ledger's records, field for field as the sandbox sends
 * them (docs/codepay-protocol.md §4.6), and signed with the gateway key: what an attacker who recorded a real
 * notification could replay, and the base every tampering case starts from.
 */
export interface GatewayIdentity {
  appId: string;
  merchantNo: string;
  privateKey: KeyObject;
}

const time = (iso: string | undefined) => (iso === undefined ? undefined : formatGatewayTime(Date.parse(iso)));

function envelope(identity: GatewayIdentity, fields: Record<string, WireValue>): Record<string, WireValue> {
  const present = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return withSignature({ ...present, app_id: identity.appId, merchant_no: identity.merchantNo, sign_type: 'RSA2' }, identity.privateKey);
}

export function orderNotification(identity: GatewayIdentity, order: LedgerOrder): Record<string, WireValue> {
  const amount = toDecimalString(order.amountMinor, order.currency);
  return envelope(identity, {
    merchant_order_no: order.merchantOrderNo,
    trans_no: order.transNo,
    trans_type: 1,
    trans_status: order.status,
    price_currency: order.currency,
    order_amount: amount,
    trans_amount: amount,
    paid_amount: order.paidAmountMinor === undefined ? undefined : toDecimalString(order.paidAmountMinor, order.currency),
    trans_end_time: time(order.endTime),
    trans_error_code: order.errorCode,
    trans_error_msg: order.errorMessage,
  });
}

export function refundNotification(identity: GatewayIdentity, refund: LedgerRefund): Record<string, WireValue> {
  const amount = toDecimalString(refund.amountMinor, refund.currency);
  return envelope(identity, {
    merchant_order_no: refund.refundNo,
    trans_no: refund.transNo,
    trans_type: 2,
    trans_status: refund.status,
    orig_merchant_order_no: refund.origMerchantOrderNo,
    orig_trans_no: refund.origTransNo,
    price_currency: refund.currency,
    order_amount: amount,
    trans_amount: amount,
    trans_end_time: time(refund.endTime),
  });
}

/** Any fields signed with any key: for missing-field, wrong-type and foreign-key cases. */
export function signedWith(identity: GatewayIdentity, fields: Record<string, WireValue>, key: KeyObject = identity.privateKey): Record<string, WireValue> {
  return withSignature({ app_id: identity.appId, merchant_no: identity.merchantNo, sign_type: 'RSA2', ...fields }, key);
}
