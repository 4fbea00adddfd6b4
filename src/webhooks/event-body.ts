import { paymentResponse, refundResponse } from '../api/payment-view';
import type { PaymentResponse, RefundResponse } from '../api/payments-schemas';
import type { MerchantEvent, MerchantEventType } from '../workflows/messages';

/**
 * The JSON body the merchant receives (DESIGN.md §8): `{type, timestamp, data}` with `data` the
 * payment exactly as `GET /v1/payments/:no` shows it, or for refund events the refund view plus
 * `merchantOrderNo`.
 */
export interface MerchantEventBody {
  type: MerchantEventType;
  timestamp: string;
  data: PaymentResponse | (RefundResponse & { merchantOrderNo: string });
}

export function merchantEventBody(event: MerchantEvent): MerchantEventBody {
  const { payment } = event;
  const refund = event.refundNo === undefined ? undefined : payment.refunds.find((r) => r.refundNo === event.refundNo);
  const data = refund ? { ...refundResponse(refund, payment.currency), merchantOrderNo: payment.merchantOrderNo } : paymentResponse(payment);
  return { type: event.type, timestamp: event.timestamp, data };
}
