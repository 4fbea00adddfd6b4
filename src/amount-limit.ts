import { isCurrency, MoneyError, toDecimalString, toMinorUnits } from './codepay/money';

/**
 * The largest amount one payment may ask for (PAYMENT_MAX_AMOUNT): a ceiling in major units for
 * every currency, with per-currency exceptions for currencies whose unit is worth little
 * (`1000000,JPY:150000000,IDR:15000000000`). It catches a client's unit mix-up (cents sent as
 * dollars) or garbage before an order reaches CodePay.
 */
export interface AmountLimits {
  /** Whole major units, for any currency without its own entry. */
  default: string;
  /** Currency → decimal string in that currency's major units. */
  byCurrency: Record<string, string>;
}

export const DEFAULT_MAX_AMOUNT = '1000000';

const WHOLE = /^[1-9]\d*$/;

/** `1000000,JPY:150000000`; throws with a message naming the faulty entry. */
export function parseAmountLimits(text: string): AmountLimits {
  const limits: AmountLimits = { default: DEFAULT_MAX_AMOUNT, byCurrency: {} };
  for (const entry of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    const amount = (colon === -1 ? entry : entry.slice(colon + 1)).trim();
    if (colon === -1) {
      if (!WHOLE.test(amount)) throw new MoneyError(`${entry}: the default ceiling must be a whole positive number of major units`);
      toMinorUnits(amount, 'USD'); // magnitude check
      limits.default = amount;
      continue;
    }
    const currency = entry.slice(0, colon).trim();
    if (!isCurrency(currency)) throw new MoneyError(`${entry}: unknown currency ${currency}`);
    if (toMinorUnits(amount, currency) === 0) throw new MoneyError(`${entry}: the ceiling must be positive`);
    limits.byCurrency[currency] = amount;
  }
  return limits;
}

/** The ceiling for `currency` in its minor units, never above the largest safe integer. */
export function maxAmountMinor(limits: AmountLimits, currency: string): number {
  try {
    return toMinorUnits(limits.byCurrency[currency] ?? limits.default, currency);
  } catch (err) {
    // A default in major units can overflow in a currency with many digits: the safe limit holds then.
    if (err instanceof MoneyError) return Number.MAX_SAFE_INTEGER;
    throw err;
  }
}

/** Why `amountMinor` is over the ceiling, if it is. */
export function amountLimitIssue(limits: AmountLimits, amountMinor: number, currency: string): string | undefined {
  const max = maxAmountMinor(limits, currency);
  return amountMinor > max ? `must be at most ${toDecimalString(max, currency)} ${currency}` : undefined;
}
