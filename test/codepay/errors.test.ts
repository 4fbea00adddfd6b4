import { CodePayBusinessError, isConfigErrorCode, splitCodePayMessage } from '../../src/codepay/errors';

describe('CodePay error codes', () => {
  it.each([
    ['-1', '[E04111]Merchant order number is invalid', 'E04111', 'Merchant order number is invalid'],
    ['-1', '  [SYS002] Signature verification failed ', 'SYS002', 'Signature verification failed'],
    ['E04126', 'Refund amount too high', 'E04126', 'Refund amount too high'],
    ['M010', undefined, 'M010', ''],
    ['-1', 'multi\n[line]', '-1', 'multi\n[line]'],
  ])('splits code %s / msg %j', (code, msg, expectedCode, message) => {
    expect(splitCodePayMessage(code, msg)).toEqual({ code: expectedCode, message });
  });

  it('treats SYS* and E07* as configuration, other codes as business', () => {
    expect(['SYS002', 'SYS011', 'E07303'].every(isConfigErrorCode)).toBe(true);
    expect(['E04111', 'E04130', 'M010', 'sys002', 'XSYS'].some(isConfigErrorCode)).toBe(false);
  });

  it('a business error carries code and message and is not retryable', () => {
    const error = new CodePayBusinessError('E04132', 'Partial refund not allowed', 'order.refund.submit');
    expect(error).toMatchObject({ name: 'CodePayBusinessError', retryable: false, code: 'E04132', method: 'order.refund.submit' });
    expect(error.message).toBe('CodePay rejected order.refund.submit: [E04132] Partial refund not allowed');
  });
});
