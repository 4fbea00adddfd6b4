import { z } from 'zod';
import { paymentResponse, refundResponse } from '../views/payment-view';
import { PaymentResponseSchema, RefundResponseSchema } from '../views/payment-response';
import { MERCHANT_EVENT_TYPES } from '../workflows/merchant-events';
import type { MerchantEvent } from '../workflows/messages';

/**
 * The JSON body the merchant receives (docs/webhooks.md): `{type, timestamp, data}` with `data` the
 * payment exactly as `GET /v1/payments/:no` shows it, or for refund events the refund view plus
 * `merchantOrderNo`.
 */
export const MerchantEventBodySchema = z
  .object({
    type: z.enum(MERCHANT_EVENT_TYPES),
    timestamp: z.iso.datetime().describe('When the change happened (ISO-8601 UTC)'),
    data: z.union([RefundResponseSchema.extend({ merchantOrderNo: z.string() }), PaymentResponseSchema]),
  })
  .describe('A merchant webhook event: payment.<status> carries the payment, refund.* the refund plus merchantOrderNo');
export type MerchantEventBody = z.infer<typeof MerchantEventBodySchema>;

export function merchantEventBody(event: MerchantEvent): MerchantEventBody {
  const { payment } = event;
  const refund = event.refundNo === undefined ? undefined : payment.refunds.find((r) => r.refundNo === event.refundNo);
  const data = refund ? { ...refundResponse(refund, payment.currency), merchantOrderNo: payment.merchantOrderNo } : paymentResponse(payment);
  return { type: event.type, timestamp: event.timestamp, data };
}
