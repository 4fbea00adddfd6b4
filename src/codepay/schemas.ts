import { z } from 'zod';
import type { RawFields } from './flat-json';
import type { CreateWapOrderResult, OrderFact, RefundFact } from './model';
import { isCurrency, toDecimalString, wireAmountToMinor } from './money';
import { parseTransStatus } from './trans-status';

/**
 * The wire shapes CodePay sends (docs/codepay-protocol.md §3, §4.1–4.6), as zod schemas over the raw field text
 * of parseFlatJson or a form body: every value is a string, so `trans_status` `2` and `"2"` and
 * amount `12.40` and `"12.40"` read the same. Unknown fields are ignored; null and empty fields
 * count as absent (as in the signature). Amounts are decimals in major units of the message's
 * `price_currency` — also as Java `Double` text (`12.5`, `300.0` JPY, `1.0E+7`), as CodePay's Java
 * side writes them — converted to integer minor units; too many decimals is an error, not a rounding.
 */

/** Drops null and empty values, which CodePay may send or omit for "no value". */
export function presentFields(raw: RawFields): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) if (value !== null && value !== '') fields[key] = value;
  return fields;
}

const text = z.string().optional();
const currency = z.string().refine(isCurrency, 'not a known ISO-4217 currency').optional();
const transStatus = z.string().transform((value, ctx) => {
  const status = parseTransStatus(value);
  if (status === undefined) {
    ctx.addIssue({ code: 'custom', message: 'trans_status is not a number' });
    return z.NEVER;
  }
  return status;
});

type Ctx = z.core.$RefinementCtx<unknown>;

/** A major-unit decimal as minor units, or an issue on `field`. */
function minorUnits(ctx: Ctx, field: string, amount: string | undefined, currencyCode: string | undefined): number | undefined {
  if (amount === undefined) return undefined;
  if (currencyCode === undefined) {
    ctx.addIssue({ code: 'custom', path: [field], message: 'amount without price_currency' });
    return undefined;
  }
  try {
    return wireAmountToMinor(amount, currencyCode);
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: [field], message: (err as Error).message });
    return undefined;
  }
}

/** Copies only the defined values, so facts carry no `key: undefined` noise. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** §3: every response. `data` is JSON text; it is parsed only after the signature verified. */
export const ResponseEnvelopeSchema = z.object({
  code: z.string(),
  msg: text,
  psn: text,
  data: text,
});

/** §4.1 Wap Payment Order `data`. */
export const CreateWapOrderDataSchema = z
  .object({ pay_url: z.url({ protocol: /^https?$/ }) })
  .transform((w): CreateWapOrderResult => ({ payUrl: w.pay_url }));

const factFields = {
  merchant_order_no: z.string(),
  trans_no: text,
  trans_status: transStatus,
  trans_type: text,
  price_currency: currency,
  order_amount: text,
  trans_amount: text,
  trans_end_time: text,
  trans_error_code: text,
  trans_error_msg: text,
};

/** §4.4 Query order `data`, and a payment notification (§4.6). */
export const OrderFactSchema = z
  .object({ ...factFields, paid_amount: text, pay_method_id: text, attach: text })
  .transform((w, ctx): OrderFact =>
    defined({
      merchantOrderNo: w.merchant_order_no,
      transNo: w.trans_no,
      transStatus: w.trans_status,
      currency: w.price_currency,
      orderAmountMinor: minorUnits(ctx, 'order_amount', w.order_amount, w.price_currency),
      paidAmountMinor: minorUnits(ctx, 'paid_amount', w.paid_amount, w.price_currency),
      payMethodId: w.pay_method_id,
      attach: w.attach,
      endTime: w.trans_end_time,
      errorCode: w.trans_error_code,
      errorMessage: w.trans_error_msg,
    }),
  );

/**
 * §4.3 Submit refund and §4.5 Query refund `data`, and a refund notification (§4.6). Submit's
 * answer may carry only `trans_amount` and no currency: the request's currency fills in. A missing
 * `trans_status` (Submit) means the refund is in progress. The refund's amount is `trans_amount`
 * ("Refund Amount" in the Java SDK's OrderRefundSubmitRequest, the only amount of its
 * OrderRefundSubmitResponse); `order_amount` only when `trans_amount` is absent, since in a refund
 * query it may be the original order's amount.
 */
export function refundFactSchema(defaults: { currency?: string; refundNo?: string } = {}) {
  return z
    .object({
      ...factFields,
      merchant_order_no: defaults.refundNo === undefined ? z.string() : text,
      trans_status: defaults.refundNo === undefined ? transStatus : transStatus.optional(),
      orig_trans_no: text,
      orig_merchant_order_no: text,
    })
    .transform((w, ctx): RefundFact => {
      const currencyCode = w.price_currency ?? defaults.currency;
      return defined({
        refundNo: (w.merchant_order_no ?? defaults.refundNo)!,
        transNo: w.trans_no,
        origTransNo: w.orig_trans_no,
        origMerchantOrderNo: w.orig_merchant_order_no,
        transStatus: w.trans_status ?? 0,
        currency: currencyCode,
        amountMinor: w.trans_amount
          ? minorUnits(ctx, 'trans_amount', w.trans_amount, currencyCode)
          : minorUnits(ctx, 'order_amount', w.order_amount, currencyCode),
        endTime: w.trans_end_time,
        errorCode: w.trans_error_code,
        errorMessage: w.trans_error_msg,
      });
    });
}
export const RefundFactSchema = refundFactSchema();

/**
 * A fact as CodePay's wire fields, the inverse of the schemas above: what the sandbox answers to
 * a query and sends as a notification body (before adding app_id, merchant_no and the signature).
 */
function decimalField(minor: number | undefined, currencyCode: string | undefined): string | undefined {
  if (minor === undefined) return undefined;
  if (currencyCode === undefined) throw new Error('a fact with an amount needs a currency');
  return toDecimalString(minor, currencyCode);
}

export function orderFactFields(fact: OrderFact): Record<string, string> {
  return defined({
    merchant_order_no: fact.merchantOrderNo,
    trans_no: fact.transNo,
    trans_status: String(fact.transStatus),
    price_currency: fact.currency,
    order_amount: decimalField(fact.orderAmountMinor, fact.currency),
    paid_amount: decimalField(fact.paidAmountMinor, fact.currency),
    pay_method_id: fact.payMethodId,
    attach: fact.attach,
    trans_end_time: fact.endTime,
    trans_error_code: fact.errorCode,
    trans_error_msg: fact.errorMessage,
  }) as Record<string, string>;
}

export function refundFactFields(fact: RefundFact): Record<string, string> {
  return defined({
    merchant_order_no: fact.refundNo,
    trans_no: fact.transNo,
    orig_trans_no: fact.origTransNo,
    orig_merchant_order_no: fact.origMerchantOrderNo,
    trans_status: String(fact.transStatus),
    price_currency: fact.currency,
    trans_amount: decimalField(fact.amountMinor, fact.currency),
    trans_end_time: fact.endTime,
    trans_error_code: fact.errorCode,
    trans_error_msg: fact.errorMessage,
  }) as Record<string, string>;
}

/** Field paths and messages of a zod error, never the values (they may be anything). */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
}
