/**
 * Whether a repeated create is the same payment: the API asks this of a start that finds the
 * payment already there, against the request it was started with. Every field of the request counts,
 * not only the money: a repeat with another return URL, expiry, attach text, method, language or
 * shopper would otherwise get the first payment back with its new values silently dropped.
 */
import type { PaymentRequest } from '../workflows/messages';

type ComparedField = Exclude<keyof PaymentRequest, 'merchantOrderNo'>;
type Shopper = NonNullable<PaymentRequest['shopper']>;

const same = <T>(a: T, b: T) => a === b;
/** Absent and `{}` are the same shopper; key order does not matter. */
const sameShopper = (a: Shopper = {}, b: Shopper = {}) => a.ip === b.ip && a.userAgent === b.userAgent && a.os === b.os;

/** Exhaustive by type: a new request field does not compile until it says how it compares. */
const COMPARATORS: { [F in ComparedField]-?: (a: PaymentRequest[F], b: PaymentRequest[F]) => boolean } = {
  amountMinor: same,
  currency: same,
  description: same,
  returnUrl: same,
  payMethodId: same,
  expiresInSeconds: same,
  attach: same,
  language: same,
  shopper: sameShopper,
};

/** The fields in which `repeat` differs from the request that created the payment. */
export function payloadDifferences(original: PaymentRequest, repeat: PaymentRequest): ComparedField[] {
  return (Object.keys(COMPARATORS) as ComparedField[]).filter(
    (field) => !(COMPARATORS[field] as (a: unknown, b: unknown) => boolean)(original[field], repeat[field]),
  );
}

/** Undefined for the same payment, else why the repeat is another one (the 409's detail). */
export function payloadMismatch(original: PaymentRequest, repeat: PaymentRequest): string | undefined {
  const differs = payloadDifferences(original, repeat);
  return differs.length === 0 ? undefined : `payment ${original.merchantOrderNo} already exists with a different ${differs.join(', ')}`;
}
