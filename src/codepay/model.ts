/**
 * The gateway's answers as the rest of the service sees them: validated, money in integer minor
 * units, `trans_status` as a number. Produced by the client (query responses) and by the
 * notification parser; consumed by activities, workflows and the webhook bridge.
 */

/** What CodePay says about a payment order (Query order, or a payment notification). */
export interface OrderFact {
  merchantOrderNo: string;
  transNo?: string;
  /** Raw `trans_status`; see trans-status.ts. Unknown values are kept. */
  transStatus: number;
  currency?: string;
  orderAmountMinor?: number;
  paidAmountMinor?: number;
  payMethodId?: string;
  attach?: string;
  /** `trans_end_time` as sent (`yyyy-MM-dd HH:mm:ss`, UTC). */
  endTime?: string;
  errorCode?: string;
  errorMessage?: string;
}

/** What CodePay says about a refund (Query refund, Submit refund, or a refund notification). */
export interface RefundFact {
  /** The refund's own `merchant_order_no` (our refund number). */
  refundNo: string;
  transNo?: string;
  origTransNo?: string;
  origMerchantOrderNo?: string;
  transStatus: number;
  currency?: string;
  amountMinor?: number;
  endTime?: string;
  errorCode?: string;
  errorMessage?: string;
}

/** A verified notification as the webhook bridge signals it to a workflow. */
export type CodePayNotification =
  | { kind: 'payment'; fact: OrderFact }
  | { kind: 'refund'; fact: RefundFact };

export interface CreateWapOrderRequest {
  merchantOrderNo: string;
  amountMinor: number;
  currency: string;
  description: string;
  expiresInSeconds: number;
  notifyUrl?: string;
  returnUrl?: string;
  payMethodId?: string;
  attach?: string;
  language?: string;
  shopper?: { ip?: string; userAgent?: string; os?: 'ANDROID' | 'IOS' };
}

export interface CreateWapOrderResult {
  payUrl: string;
}

export interface SubmitRefundRequest {
  refundNo: string;
  merchantOrderNo: string;
  amountMinor: number;
  currency: string;
  reason?: string;
  notifyUrl?: string;
}

/**
 * The five CodePay calls (docs/codepay-protocol.md §4). Implemented by `createCodePayClient` (client.ts);
 * every method throws only the errors of errors.ts.
 */
export interface CodePayClient {
  createWapOrder(request: CreateWapOrderRequest): Promise<CreateWapOrderResult>;
  /** Closes an unpaid order; CodePay refunds the shopper when it was already paid. */
  cancelOrder(merchantOrderNo: string): Promise<void>;
  submitRefund(request: SubmitRefundRequest): Promise<RefundFact>;
  queryOrder(merchantOrderNo: string): Promise<OrderFact>;
  queryRefund(refundNo: string): Promise<RefundFact>;
}
