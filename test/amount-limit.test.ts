import { amountLimitIssue, DEFAULT_MAX_AMOUNT, maxAmountMinor, parseAmountLimits } from '../src/amount-limit';

describe('amount ceiling (PAYMENT_MAX_AMOUNT)', () => {
  it('defaults to 1,000,000 major units of any currency', () => {
    const limits = parseAmountLimits('');
    expect(limits).toEqual({ default: DEFAULT_MAX_AMOUNT, byCurrency: {} });
    expect(maxAmountMinor(limits, 'USD')).toBe(100_000_000);
    expect(maxAmountMinor(limits, 'JPY')).toBe(1_000_000);
    expect(maxAmountMinor(limits, 'KWD')).toBe(1_000_000_000);
  });

  it('takes a default and per-currency exceptions in major units', () => {
    const limits = parseAmountLimits('5000, JPY:750000 ,USD:2500.50');
    expect(maxAmountMinor(limits, 'EUR')).toBe(500_000);
    expect(maxAmountMinor(limits, 'JPY')).toBe(750_000);
    expect(maxAmountMinor(limits, 'USD')).toBe(250_050);
  });

  it('accepts the ceiling itself and refuses one minor unit more, naming the ceiling', () => {
    const limits = parseAmountLimits('100');
    expect(amountLimitIssue(limits, 10_000, 'USD')).toBeUndefined();
    expect(amountLimitIssue(limits, 10_001, 'USD')).toBe('must be at most 100.00 USD');
    expect(amountLimitIssue(limits, 101, 'JPY')).toBe('must be at most 100 JPY');
  });

  it.each([
    ['a fractional default', '10.5'],
    ['a zero default', '0'],
    ['an unknown currency', 'XXY:10'],
    ['too many decimals for the currency', 'JPY:10.5'],
    ['a zero ceiling', 'USD:0'],
    ['an unsafe magnitude', '900719925474099300'],
    ['garbage', 'lots'],
  ])('refuses %s', (_name, text) => {
    expect(() => parseAmountLimits(text)).toThrow();
  });
});
