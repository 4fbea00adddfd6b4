import type { KeyObject } from 'node:crypto';
import { FlatJsonError, parseFlatJson, RawFields } from './flat-json';
import type { CodePayNotification } from './model';
import { describeIssues, OrderFactSchema, presentFields, RefundFactSchema } from './schemas';
import { verifyFields } from './signing';

/**
 * CodePay's transaction result notification (docs/codepay-protocol.md §4.6), in the three forms a receiver must
 * take: a flat JSON object, the same fields packed in a `data` JSON string (as in API responses),
 * and a form-encoded body. The signature is checked over the raw values as received — `data` as
 * its exact string — before any of it is validated or believed.
 */
export type ParsedNotification =
  | { ok: true; notification: CodePayNotification; merchantOrderNo: string }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'foreign_merchant'; detail: string };

/** The steps of reading a notification, in order, for a caller that times them (the webhook's metrics). */
export type NotificationStage = 'decode' | 'verify' | 'validate';

/** Our merchant at CodePay (CODEPAY_APP_ID, CODEPAY_MERCHANT_NO). */
export interface NotificationRecipient {
  appId: string;
  merchantNo: string;
}

/**
 * The gateway signs every merchant's notifications with its one key: a valid signature proves
 * CodePay sent it, not that it is ours. Ours only when `app_id` and `merchant_no` are both ours.
 */
export function recipientMismatch(fields: Record<string, string>, ours: NotificationRecipient): string | undefined {
  const wrong = (
    [
      ['app_id', fields.app_id, ours.appId],
      ['merchant_no', fields.merchant_no, ours.merchantNo],
    ] as const
  ).flatMap(([name, got, want]) => (got === undefined ? [`${name} missing`] : got !== want ? [`${name} ${JSON.stringify(got)} is not ours`] : []));
  return wrong.length > 0 ? `notification is not for this merchant: ${wrong.join(', ')}` : undefined;
}

/**
 * With `recipient` (the webhook always passes it), a notification for another merchant, or without
 * `app_id`/`merchant_no`, is refused as `foreign_merchant` before anything in it is believed.
 * `merchantOrderNo` is the notification's own `merchant_order_no`: the payment's number for a
 * payment, the refund number for a refund (payments and refunds share one number space).
 * `lap` is called as each stage ends, also when it refuses.
 */
export function parseNotification(
  rawBody: string,
  contentType: string | undefined,
  gatewayPublicKeys: KeyObject[],
  recipient?: NotificationRecipient,
  lap: (stage: NotificationStage) => void = () => {},
): ParsedNotification {
  let raw: RawFields;
  try {
    raw = readBody(rawBody, contentType);
  } catch (err) {
    lap('decode');
    return { ok: false, reason: 'malformed', detail: (err as Error).message };
  }
  lap('decode');
  if (raw.sign === undefined || raw.sign === null || raw.sign === '') {
    return { ok: false, reason: 'bad_signature', detail: 'notification is not signed' };
  }
  const verified = verifyFields(raw, gatewayPublicKeys);
  lap('verify');
  if (!verified) {
    return { ok: false, reason: 'bad_signature', detail: 'signature does not verify with the gateway public key' };
  }
  const parsed = validate(raw, recipient);
  lap('validate');
  return parsed;
}

/** The verified fields, bound to our merchant, as a payment's or a refund's notification. */
function validate(raw: RawFields, recipient: NotificationRecipient | undefined): ParsedNotification {
  let fields: Record<string, string>;
  try {
    fields = unpack(raw);
  } catch (err) {
    return { ok: false, reason: 'malformed', detail: `data is not a JSON object (${(err as Error).message})` };
  }
  const foreign = recipient && recipientMismatch(fields, recipient);
  if (foreign) return { ok: false, reason: 'foreign_merchant', detail: foreign };
  const notification = toNotification(fields);
  if (!notification.success) return { ok: false, reason: 'malformed', detail: notification.detail };
  const value = notification.value;
  const merchantOrderNo = value.kind === 'payment' ? value.fact.merchantOrderNo : value.fact.refundNo;
  return { ok: true, notification: value, merchantOrderNo };
}

function readBody(body: string, contentType: string | undefined): RawFields {
  // Some gateways' HTTP stacks start the body with a UTF-8 byte order mark; the signature covers field values, not it.
  const rawBody = body.replace(/^\uFEFF/, '');
  const type = (contentType ?? '').toLowerCase();
  const form = type.includes('application/x-www-form-urlencoded') || (!type.includes('json') && !rawBody.trimStart().startsWith('{'));
  if (!form) {
    try {
      return parseFlatJson(rawBody);
    } catch (err) {
      if (err instanceof FlatJsonError) throw new Error(`body is not a JSON object (${err.message})`);
      throw err;
    }
  }
  // No prototype: a field named `__proto__` stays a field.
  const fields = Object.create(null) as RawFields;
  for (const [key, value] of new URLSearchParams(rawBody)) {
    // A repeated field would leave open which value was signed.
    if (Object.prototype.hasOwnProperty.call(fields, key)) throw new Error(`form field ${JSON.stringify(key)} is repeated`);
    fields[key] = value;
  }
  if (Object.keys(fields).length === 0) throw new Error('body is empty');
  return { ...fields };
}

/** The notification's fields: flat as they came, or the `data` string's fields over the envelope's. */
function unpack(raw: RawFields): Record<string, string> {
  const fields = presentFields(raw);
  const { data, sign: _sign, ...envelope } = fields;
  if (data === undefined || fields.merchant_order_no !== undefined) return fields;
  return { ...envelope, ...presentFields(parseFlatJson(data)) };
}

/** A refund carries the payment it refunds; some gateways also say so in `trans_type`. */
function isRefund(fields: Record<string, string>): boolean {
  return (
    fields.orig_merchant_order_no !== undefined || fields.orig_trans_no !== undefined || /refund/i.test(fields.trans_type ?? '')
  );
}

function toNotification(
  fields: Record<string, string>,
): { success: true; value: CodePayNotification } | { success: false; detail: string } {
  if (isRefund(fields)) {
    const parsed = RefundFactSchema.safeParse(fields);
    return parsed.success
      ? { success: true, value: { kind: 'refund', fact: parsed.data } }
      : { success: false, detail: `refund notification: ${describeIssues(parsed.error)}` };
  }
  const parsed = OrderFactSchema.safeParse(fields);
  return parsed.success
    ? { success: true, value: { kind: 'payment', fact: parsed.data } }
    : { success: false, detail: `payment notification: ${describeIssues(parsed.error)}` };
}
