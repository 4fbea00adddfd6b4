import { z } from 'zod';
import { isCurrency, MoneyError, toMinorUnits } from '../codepay/money';
import type { PaymentRequest } from '../workflows/messages';

/**
 * The merchant API's request shapes (docs/design.md §4; the responses are src/views/payment-response.ts). Requests are validated with these schemas and the
 * OpenAPI document (openapi.ts) is generated from the very same objects, so the two cannot drift.
 * Amounts are decimal strings in major units; the currency's digits decide how many decimals are
 * allowed (checked at object level, where the currency is known).
 */

/** CodePay's `merchant_order_no` alphabet (docs/codepay-protocol.md §4.1); refunds share the number space. */
const ORDER_NO = /^[A-Za-z0-9_\-*@]{1,32}$/;
const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;
/** CodePay rejects 4-byte UTF-8 characters (emoji), i.e. anything outside the BMP. */
const ASTRAL = /[\u{10000}-\u{10FFFF}]/u;

const gatewayText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !ASTRAL.test(s), 'must not contain 4-byte characters such as emoji');

export const MerchantOrderNoSchema = z
  .string()
  .regex(ORDER_NO, 'must be 1–32 characters of letters, digits, _ - * @')
  .describe("The merchant's payment number (CodePay merchant_order_no); pays at most once");
export const RefundNoSchema = z
  .string()
  .regex(ORDER_NO, 'must be 1–32 characters of letters, digits, _ - * @')
  .describe('The merchant\'s refund number; unique across payments and refunds');
export const CurrencySchema = z.string().refine(isCurrency, 'must be an ISO-4217 currency code').describe('ISO-4217 alpha-3');
export const AmountSchema = z
  .string()
  .regex(DECIMAL, 'must be a decimal string in major units, e.g. "12.50"')
  .describe('Decimal string in major units, with at most the currency\'s digits ("12.50" USD, "300" JPY)');

/** Why `amount` is not a positive amount with at most the currency's digits, if it is not. */
export function amountIssue(amount: string, currency: string): string | undefined {
  try {
    return toMinorUnits(amount, currency) === 0 ? 'must be greater than zero' : undefined;
  } catch (err) {
    if (err instanceof MoneyError) return err.message;
    throw err;
  }
}

export const ShopperSchema = z.strictObject({
  ip: z.union([z.ipv4(), z.ipv6()]).optional().describe("The shopper's IP (term_ip)"),
  userAgent: z.string().min(1).max(512).optional().describe("The shopper's browser user agent"),
  os: z.enum(['ANDROID', 'IOS']).optional(),
});

export const EXPIRES_MIN_SECONDS = 60;
export const EXPIRES_MAX_SECONDS = 86_400;

export const CreatePaymentBodySchema = z
  .strictObject({
    merchantOrderNo: MerchantOrderNoSchema,
    amount: AmountSchema,
    currency: CurrencySchema,
    description: gatewayText(128).describe('What is bought, shown on the cashier'),
    returnUrl: z
      .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
      .max(1024)
      .optional()
      .describe("Where the cashier sends the shopper's browser afterwards; not proof of payment"),
    payMethodId: z.string().min(1).max(32).optional().describe('Pre-selects a payment method (Visa, WeChatPay, …)'),
    expiresInSeconds: z
      .int()
      .min(EXPIRES_MIN_SECONDS)
      .max(EXPIRES_MAX_SECONDS)
      .optional()
      .describe('Seconds until the unpaid order closes; default from PAYMENT_DEFAULT_EXPIRES_SECONDS'),
    attach: gatewayText(256).optional().describe('Pass-through text echoed by CodePay'),
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or zh-CN')
      .optional(),
    shopper: ShopperSchema.optional(),
  })
  .superRefine((body, ctx) => {
    if (!DECIMAL.test(body.amount) || !isCurrency(body.currency)) return; // already reported field by field
    const message = amountIssue(body.amount, body.currency);
    if (message) ctx.addIssue({ code: 'custom', path: ['amount'], message });
  });

export type CreatePaymentBody = z.infer<typeof CreatePaymentBodySchema>;

/** The refund amount is checked (amountIssue) against the payment's currency once the payment is known. */
export const CreateRefundBodySchema = z
  .strictObject({
    refundNo: RefundNoSchema,
    amount: AmountSchema,
    reason: gatewayText(128).optional(),
  });

export type CreateRefundBody = z.infer<typeof CreateRefundBodySchema>;

export const PaymentParamsSchema = z.object({ merchantOrderNo: MerchantOrderNoSchema });
export const RefundParamsSchema = z.object({ merchantOrderNo: MerchantOrderNoSchema, refundNo: RefundNoSchema });
export const EventParamsSchema = z.object({ merchantOrderNo: MerchantOrderNoSchema, eventId: z.string().min(1).max(64).describe('A webhook event id (`webhook-id`)') });

/**
 * A validated body as the workflow's request, in minor units. Keys are set in one fixed order so
 * the same request always serialises (and hashes, see payment-commands.ts) the same.
 */
export function toPaymentRequest(body: CreatePaymentBody, defaultExpiresSeconds: number): PaymentRequest {
  const shopper = body.shopper && { ip: body.shopper.ip, userAgent: body.shopper.userAgent, os: body.shopper.os };
  return {
    merchantOrderNo: body.merchantOrderNo,
    amountMinor: toMinorUnits(body.amount, body.currency),
    currency: body.currency,
    description: body.description,
    returnUrl: body.returnUrl,
    payMethodId: body.payMethodId,
    expiresInSeconds: body.expiresInSeconds ?? defaultExpiresSeconds,
    attach: body.attach,
    language: body.language,
    shopper,
  };
}
