import fc from 'fast-check';
import { currencyDigits, isCurrency, MoneyError, toDecimalString, toMinorUnits, wireAmountToMinor } from '../../src/codepay/money';

describe('money', () => {
  it('knows each currency’s digits', () => {
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('EUR')).toBe(2);
    expect(currencyDigits('KWD')).toBe(3);
    expect(currencyDigits('BHD')).toBe(3);
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency('XYZ')).toBe(false);
    expect(() => currencyDigits('XYZ')).toThrow(MoneyError);
  });

  it('asks Intl once per currency, and never remembers an unknown one', () => {
    const formats = jest.spyOn(Intl, 'NumberFormat');
    try {
      for (let i = 0; i < 3; i += 1) expect([currencyDigits('ISK'), toMinorUnits('12.5', 'OMR'), toDecimalString(1250, 'OMR')]).toEqual([0, 12500, '1.250']);
      expect(formats.mock.calls.map(([, options]) => options?.currency)).toEqual(['ISK', 'OMR']);
      for (let i = 0; i < 2; i += 1) expect(() => currencyDigits('QQQ')).toThrow(MoneyError);
      expect(formats).toHaveBeenCalledTimes(2);
    } finally {
      formats.mockRestore();
    }
  });

  it.each([
    ['300', 'JPY', 300],
    ['0', 'JPY', 0],
    ['12.40', 'USD', 1240],
    ['12.4', 'USD', 1240],
    ['12', 'USD', 1200],
    ['0.01', 'USD', 1],
    ['0.001', 'KWD', 1],
    ['1.5', 'KWD', 1500],
    ['90071992547409.91', 'USD', 9007199254740991],
  ])('reads %s %s as %d minor units', (decimal, currency, minor) => {
    expect(toMinorUnits(decimal, currency)).toBe(minor);
  });

  it.each([
    ['300.5', 'JPY'],
    ['300.0', 'JPY'],
    ['12.345', 'USD'],
    ['1.0001', 'KWD'],
  ])('rejects %s %s: too many decimals', (decimal, currency) => {
    expect(() => toMinorUnits(decimal, currency)).toThrow(/more than \d decimals/);
  });

  it.each(['012.40', '00', '-1', '+1', '1e3', '1E3', '.5', '5.', ' 1', '1 ', '1,00', '0x10', 'NaN', 'Infinity', '', '１２'])(
    'rejects %j: not a plain decimal',
    (decimal) => {
      expect(() => toMinorUnits(decimal, 'USD')).toThrow(MoneyError);
    },
  );

  it('rejects amounts beyond safe integers instead of rounding', () => {
    expect(() => toMinorUnits('90071992547409.92', 'USD')).toThrow(/too large/);
    expect(() => toMinorUnits('99999999999999999999', 'JPY')).toThrow(/too large/);
  });

  it.each([
    [1240, 'USD', '12.40'],
    [5, 'USD', '0.05'],
    [0, 'USD', '0.00'],
    [300, 'JPY', '300'],
    [1, 'KWD', '0.001'],
    [1234567, 'KWD', '1234.567'],
    [Number.MAX_SAFE_INTEGER, 'USD', '90071992547409.91'],
  ])('writes %d %s as %s', (minor, currency, decimal) => {
    expect(toDecimalString(minor, currency)).toBe(decimal);
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('refuses to write %d', (minor) => {
    expect(() => toDecimalString(minor, 'USD')).toThrow(MoneyError);
  });

  it('round-trips any safe amount in any digit count', () => {
    fc.assert(
      fc.property(fc.constantFrom('JPY', 'USD', 'KWD'), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (currency, minor) => {
        expect(toMinorUnits(toDecimalString(minor, currency), currency)).toBe(minor);
      }),
    );
  });
});

describe('wire amounts as CodePay’s Java side writes them (Double text through fastjson BigDecimal)', () => {
  it.each([
    ['12.5', 'USD', 1250],
    ['10.0', 'USD', 1000],
    ['12.50', 'USD', 1250],
    ['300.0', 'JPY', 300],
    ['300', 'JPY', 300],
    ['1.005', 'KWD', 1005],
    ['1.0E7', 'USD', 1_000_000_000],
    ['1.2345678E+7', 'USD', 1_234_567_800],
    ['1.23456789E+7', 'USD', 1_234_567_890],
    ['1.5E-1', 'USD', 15],
  ])('reads %s %s as %d minor units, exactly', (text, currency, minor) => {
    expect(wireAmountToMinor(text, currency)).toBe(minor);
  });

  it.each([
    ['300.5', 'JPY', /more than 0 decimals/],
    ['12.345', 'USD', /more than 2 decimals/],
    ['1.2345678912E+7', 'USD', /more than 2 decimals/],
    ['1.5E-3', 'USD', /more than 2 decimals/],
    ['1e3', 'USD', /not a decimal/],
    ['-1.0', 'USD', /not a decimal/],
    ['012.5', 'USD', /not a decimal/],
    ['NaN', 'USD', /not a decimal/],
    ['1.0E99', 'USD', /too large/],
  ])('refuses %s %s', (text, currency, message) => {
    expect(() => wireAmountToMinor(text, currency)).toThrow(message);
  });

  it('agrees with toMinorUnits on every plain decimal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom('JPY', 'USD', 'KWD'), (minor, currency) => {
        const text = toDecimalString(minor, currency);
        expect(wireAmountToMinor(text, currency)).toBe(toMinorUnits(text, currency));
      }),
    );
  });
});
