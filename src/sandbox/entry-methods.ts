import { z } from 'zod';
import { isCurrency, toDecimalString, wireAmountToMinor } from '../codepay/money';
import { GatewayCode, GatewayRejection } from './gateway-codes';
import type { SandboxGateway } from './gateway';
import type { MerchantRef, OrderLookup } from './ledger';
import type { EntryFields } from './entry-request';
import { orderWireFields, refundWireFields } from './wire-fields';

/**
 * The business half of `POST /api/entry`: each method's fields (docs/codepay-protocol.md §4) validated with
 * zod, then the operation on the gateway. Absent required fields answer `E01001`, malformed ones
 * `E01002`; nothing changes before every check has passed.
 */
export type MethodResult = { data?: Record<string, string> };

const ORDER_NO = /^[A-Za-z0-9_\-*@]{1,32}$/;
const orderNo = z.string().regex(ORDER_NO);
const currency = z.string().refine(isCurrency, 'unknown currency');
const absoluteUrl = (allowQuery: boolean) =>
  z
    .string()
    .max(512)
    .refine((text) => {
      try {
        const url = new URL(text);
        return (url.protocol === 'http:' || url.protocol === 'https:') && (allowQuery || url.search === '');
      } catch {
        return false;
      }
    }, 'expected an absolute http(s) URL');

/**
 * An amount field in major units for `price_currency` (a plain decimal or the Java SDK's `Double`
 * text: `12.5`, `10.0`, `1.0E+7`), as positive integer minor units; undefined after an issue.
 */
function positiveMinor(ctx: z.RefinementCtx, field: string, text: string, currencyCode: string): number | undefined {
  try {
    const minor = wireAmountToMinor(text, currencyCode);
    if (minor > 0) return minor;
    ctx.addIssue({ code: 'custom', path: [field], message: 'amount must be positive' });
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: [field], message: (err as Error).message });
  }
  return undefined;
}

/** `order_amount` as the order's amount. */
function withMinorAmount<T extends { order_amount: string; price_currency: string }>(value: T, ctx: z.RefinementCtx) {
  const amountMinor = positiveMinor(ctx, 'order_amount', value.order_amount, value.price_currency);
  return amountMinor === undefined ? z.NEVER : { ...value, amountMinor };
}

/**
 * A refund's amount: `trans_amount` ("Refund Amount" in the Java SDK's OrderRefundSubmitRequest)
 * when present, and then `order_amount` ("Order Amount") may be absent or must be the refund or
 * the original order's amount, which the ledger checks once it knows the order; otherwise
 * `order_amount` is the refund (as a sister gateway's samples send it).
 */
function withRefundAmount<T extends { order_amount?: string; trans_amount?: string; price_currency: string }>(value: T, ctx: z.RefinementCtx) {
  if (value.trans_amount === undefined) {
    if (value.order_amount === undefined) {
      ctx.addIssue({ code: 'custom', path: ['order_amount'], message: 'required' });
      return z.NEVER;
    }
    const amountMinor = positiveMinor(ctx, 'order_amount', value.order_amount, value.price_currency);
    return amountMinor === undefined ? z.NEVER : { ...value, amountMinor, declaredOrderAmountMinor: undefined };
  }
  const amountMinor = positiveMinor(ctx, 'trans_amount', value.trans_amount, value.price_currency);
  const declaredOrderAmountMinor =
    value.order_amount === undefined ? undefined : positiveMinor(ctx, 'order_amount', value.order_amount, value.price_currency);
  if (amountMinor === undefined || (value.order_amount !== undefined && declaredOrderAmountMinor === undefined)) return z.NEVER;
  return { ...value, amountMinor, declaredOrderAmountMinor };
}

const lookupBy = (noField: string, transNoField: string) =>
  z
    .object({ [noField]: orderNo.optional(), [transNoField]: z.string().max(64).optional() })
    .refine((v) => v[noField] !== undefined || v[transNoField] !== undefined, { path: [noField], message: 'required' })
    .transform((v): OrderLookup => (v[noField] !== undefined ? { merchantOrderNo: v[noField] } : { transNo: v[transNoField]! }));

const UnifiedOrderSchema = z
  .object({
    merchant_order_no: orderNo,
    price_currency: currency,
    order_amount: z.string(),
    description: z.string().max(256),
    terminal_type: z.literal('WAP'),
    expires: z.string().regex(/^\d{1,7}$/).transform(Number).pipe(z.number().int().min(1).max(7 * 24 * 3600)),
    notify_url: absoluteUrl(false).optional(),
    return_url: absoluteUrl(true).optional(),
    pay_method_id: z.string().max(32).optional(),
    attach: z.string().max(512).optional(),
    language: z.string().max(16).optional(),
    os_type: z.enum(['ANDROID', 'IOS']).optional(),
    term_ip: z.string().max(64).optional(),
    browser_head_user_agent: z.string().max(512).optional(),
  })
  .transform(withMinorAmount);

const RefundSubmitSchema = z
  .object({
    merchant_order_no: orderNo,
    price_currency: currency,
    order_amount: z.string().optional(),
    trans_amount: z.string().optional(),
    description: z.string().max(256).optional(),
    notify_url: absoluteUrl(false).optional(),
  })
  .transform(withRefundAmount);
const OrigLookupSchema = lookupBy('orig_merchant_order_no', 'orig_trans_no');

const OrderLookupSchema = lookupBy('merchant_order_no', 'trans_no');

function parse<T>(schema: z.ZodType<T>, fields: EntryFields): T {
  const result = schema.safeParse(fields);
  if (result.success) return result.data;
  const name = String(result.error.issues[0]!.path[0]);
  if (fields[name] === undefined) throw new GatewayRejection(GatewayCode.MISSING_PARAMETER, `Missing required parameter: ${name}`);
  throw new GatewayRejection(GatewayCode.INVALID_PARAMETER, `Invalid parameter: ${name}`);
}

type Method = (gateway: SandboxGateway, merchant: MerchantRef, fields: EntryFields) => MethodResult;

export const ENTRY_METHODS: Record<string, Method> = {
  'pay.unifiedorder': (gateway, merchant, fields) => {
    const r = parse(UnifiedOrderSchema, fields);
    const order = gateway.createOrder(merchant, {
      merchantOrderNo: r.merchant_order_no,
      currency: r.price_currency,
      amountMinor: r.amountMinor,
      description: r.description,
      expiresInSeconds: r.expires,
      notifyUrl: r.notify_url,
      returnUrl: r.return_url,
      payMethodId: r.pay_method_id,
      attach: r.attach,
      language: r.language,
    });
    return {
      data: {
        merchant_order_no: order.merchantOrderNo,
        price_currency: order.currency,
        trans_amount: toDecimalString(order.amountMinor, order.currency),
        pay_url: gateway.payUrl(order),
      },
    };
  },
  'order.revoker': (gateway, merchant, fields) => {
    gateway.cancelOrder(merchant, parse(OrderLookupSchema, fields));
    return {};
  },
  'order.refund.submit': (gateway, merchant, fields) => {
    const r = parse(RefundSubmitSchema, fields);
    const orig = parse(OrigLookupSchema, fields);
    const refund = gateway.submitRefund(merchant, {
      refundNo: r.merchant_order_no,
      orig,
      currency: r.price_currency,
      amountMinor: r.amountMinor,
      declaredOrderAmountMinor: r.declaredOrderAmountMinor,
      description: r.description,
      notifyUrl: r.notify_url,
    });
    return { data: refundWireFields(refund) };
  },
  'order.query': (gateway, merchant, fields) => {
    const order = gateway.ledger.findOrder(merchant, parse(OrderLookupSchema, fields));
    if (!order) throw new GatewayRejection(GatewayCode.ORDER_NOT_FOUND, 'Merchant order number is invalid');
    return { data: orderWireFields(order) };
  },
  'order.refund.query': (gateway, merchant, fields) => {
    const refund = gateway.ledger.findRefund(merchant, parse(OrderLookupSchema, fields));
    if (!refund) throw new GatewayRejection(GatewayCode.ORIGINAL_NOT_FOUND, 'Refund not found');
    return { data: refundWireFields(refund) };
  },
};
