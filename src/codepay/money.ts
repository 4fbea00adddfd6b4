/**
 * Money is integer minor units inside the service and decimal strings in major units at the edges
 * (CodePay's `order_amount`, the merchant API's `amount`). A currency's digits come from ICU
 * through Intl, so the table is maintained with the runtime, not by hand.
 */
const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && KNOWN_CURRENCIES.has(code);
}

/** Every amount read or written asks, and building an Intl.NumberFormat is the costly part: once per currency. */
const DIGITS = new Map<string, number>();

export function currencyDigits(currency: string): number {
  const known = DIGITS.get(currency);
  if (known !== undefined) return known;
  if (!isCurrency(currency)) throw new MoneyError(`unknown currency ${JSON.stringify(currency)}`);
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  DIGITS.set(currency, digits);
  return digits;
}

export class MoneyError extends Error {
  override name = 'MoneyError';
}

const DECIMAL = /^(0|[1-9]\d*)(?:\.(\d+))?$/;

/** "12.50" USD → 1250; rejects signs, exponents, too many decimals and unsafe magnitudes. */
export function toMinorUnits(decimal: string, currency: string): number {
  const digits = currencyDigits(currency);
  const match = DECIMAL.exec(decimal);
  if (!match) throw new MoneyError(`amount ${JSON.stringify(decimal)} is not a plain decimal number`);
  const [, whole = '0', fraction = ''] = match;
  if (fraction.length > digits) {
    throw new MoneyError(`amount ${decimal} has more than ${digits} decimals for ${currency}`);
  }
  const minor = BigInt(whole) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new MoneyError(`amount ${decimal} is too large`);
  return Number(minor);
}

// Plain decimal, optionally with the exponent Java writes from 10^7 up (`1.0E7`, BigDecimal `1.0E+7`).
const WIRE_DECIMAL = /^(0|[1-9]\d*)(?:\.(\d+))?(?:E([+-]?\d{1,2}))?$/;

/**
 * An amount as CodePay's side of the wire writes it. CodePay's Java SDK holds amounts in `Double`
 * fields and sends `Double.toString` text through fastjson's BigDecimal: `12.5`, `10.0`, `300.0`
 * for JPY, `1.2345678E+7` from ten million up. Read exactly: digits are shifted, never rounded;
 * decimals beyond the currency's are allowed only as zeros (`300.0` JPY = 300, `300.5` is refused).
 */
export function wireAmountToMinor(text: string, currency: string): number {
  const digits = currencyDigits(currency);
  const match = WIRE_DECIMAL.exec(text);
  if (!match) throw new MoneyError(`amount ${JSON.stringify(text)} is not a decimal number`);
  const [, whole = '0', fraction = '', exponent = '0'] = match;
  const mantissa = `${whole}${fraction}`;
  // value = mantissa × 10^(exponent − fraction digits); minor = value × 10^digits
  const shift = digits + Number(exponent) - fraction.length;
  let minor: bigint;
  if (shift >= 0) {
    minor = BigInt(mantissa) * 10n ** BigInt(shift);
  } else {
    const dropped = mantissa.slice(shift).padStart(-shift, '0');
    if (/[^0]/.test(dropped)) throw new MoneyError(`amount ${text} has more than ${digits} decimals for ${currency}`);
    minor = BigInt(mantissa.slice(0, shift) || '0');
  }
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new MoneyError(`amount ${text} is too large`);
  return Number(minor);
}

/** 1250 USD → "12.50"; 300 JPY → "300"; 1 KWD → "0.001". */
export function toDecimalString(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new MoneyError(`minor amount ${minor} is not a non-negative integer`);
  const digits = currencyDigits(currency);
  if (digits === 0) return String(minor);
  const text = String(minor).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
