import { z } from 'zod';
import { MERCHANT_EVENT_TYPES } from '../workflows/merchant-events';
import { PAYMENT_STATUSES, REVIEW_DECISIONS } from '../workflows/messages';

/**
 * A payment as the merchant sees it (docs/design.md §4): the API's responses and the `data` of
 * every merchant webhook (src/webhooks/event-body.ts), one shape for both. Below the API so the
 * worker's webhook sender shares it without importing src/api; the OpenAPI document is generated
 * from these same objects.
 */
const timestamp = z.iso.datetime().describe('ISO-8601 UTC');
export const PaymentStatusSchema = z.enum(PAYMENT_STATUSES);
export const GatewayErrorSchema = z
  .object({ code: z.string(), message: z.string() })
  .describe("CodePay's error code and message");

export const StartPaymentResponseSchema = z
  .object({
    merchantOrderNo: z.string(),
    status: PaymentStatusSchema,
    cashierUrl: z.string().optional().describe('CodePay cashier URL: redirect the shopper here'),
    expiresAt: timestamp,
    amount: z.string(),
    currency: z.string(),
  });

export const RefundResponseSchema = z
  .object({
    refundNo: z.string(),
    amount: z.string(),
    currency: z.string(),
    status: z.enum(['PENDING', 'SUCCEEDED', 'FAILED']),
    reason: z.string().optional(),
    codepayTransNo: z.string().optional(),
    error: GatewayErrorSchema.optional(),
    requestedAt: timestamp,
    completedAt: timestamp.optional(),
    origin: z
      .enum(['api', 'codepay'])
      .optional()
      .describe("Always sent by this API. `api`: requested through this API; `codepay`: made outside it (CodePay's merchant portal), adopted once CodePay's query confirmed it"),
  });

export const PaymentEventSchema = z
  .object({
    at: timestamp,
    type: z.enum(['created', 'notified', 'polled', 'transition', 'refund', 'cancel', 'ignored', 'review', 'webhook', 'error']),
    message: z.string(),
    data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    traceId: z
      .string()
      .regex(/^[0-9a-f]{32}$/)
      .optional()
      .describe('OpenTelemetry trace id of the request or notification this event came from (docs/operations.md §9); absent when tracing is off'),
  });

export const WebhookDeliverySchema = z
  .object({
    eventId: z.string().describe('The `webhook-id` header; stable across retries'),
    type: z.enum(MERCHANT_EVENT_TYPES),
    timestamp,
    status: z.enum(['pending', 'delivered', 'failing', 'failed']),
    attempts: z.int(),
    lastStatus: z.int().optional().describe("HTTP status of the merchant endpoint's last answer"),
    lastError: z.string().optional(),
    lastAttemptAt: timestamp.optional(),
    nextAttemptAt: timestamp.optional(),
    deliveredAt: timestamp.optional(),
  })
  .describe('Delivery of one merchant webhook event (MERCHANT_WEBHOOK_URL)');

export const PaymentResponseSchema = z
  .object({
    merchantOrderNo: z.string(),
    status: PaymentStatusSchema,
    amount: z.string(),
    currency: z.string(),
    description: z.string(),
    paidAmount: z.string(),
    refundedAmount: z.string(),
    pendingRefundAmount: z.string().describe('Refunds admitted but not final yet'),
    refundableAmount: z.string(),
    codepayTransNo: z.string().optional(),
    cashierUrl: z.string().optional(),
    refundedByCancel: z.boolean(),
    createdAt: timestamp,
    updatedAt: timestamp,
    expiresAt: timestamp,
    refunds: z.array(RefundResponseSchema),
    events: z.array(PaymentEventSchema).describe('Time-ordered: created, notified, polled, transitions…'),
    review: z
      .object({
        reason: z.string(),
        evidence: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
        resolution: z
          .object({ decision: z.enum(REVIEW_DECISIONS), operator: z.string(), reason: z.string(), at: timestamp, transStatus: z.int() })
          .optional()
          .describe("The operator's decision (operator = a hash prefix of the operator key) and CodePay's trans_status it was applied to"),
      })
      .optional()
      .describe('Why the payment needs (or needed) an operator'),
    error: GatewayErrorSchema.optional(),
    webhooks: z
      .array(WebhookDeliverySchema)
      .optional()
      .describe('Merchant webhook events of this payment and their delivery, oldest first; absent when their state could not be read in time'),
  });

export type StartPaymentResponse = z.infer<typeof StartPaymentResponseSchema>;
export type RefundResponse = z.infer<typeof RefundResponseSchema>;
export type PaymentResponse = z.infer<typeof PaymentResponseSchema>;
