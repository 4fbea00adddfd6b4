import { initialPaymentState } from '../../src/workflows/payment-state';
import { paymentCurrentDetails, paymentStaticDetails, paymentStaticSummary } from '../../src/workflows/payment-summary';

const input = { merchantOrderNo: 'M7', amountMinor: 1250, currency: 'USD', description: 'Green tea', expiresInSeconds: 900 };

describe('Web UI texts', () => {
  it('static summary and details show the amount in major units', () => {
    expect(paymentStaticSummary(input)).toBe('CodePay payment M7 · 12.50 USD');
    expect(paymentStaticSummary({ ...input, amountMinor: 300, currency: 'JPY' })).toBe('CodePay payment M7 · 300 JPY');
    expect(paymentStaticDetails(input)).toContain('**Description** Green tea');
  });

  it('current details follow the payment', () => {
    const state = { ...initialPaymentState(input, '2030-01-01T00:00:00.000Z'), status: 'PARTIALLY_REFUNDED' as const, paidAmountMinor: 1250, refundedAmountMinor: 250, codepayTransNo: 'T1' };
    expect(paymentCurrentDetails(state)).toBe('**PARTIALLY_REFUNDED** · paid 12.50 USD · refunded 2.50 USD · CodePay trans T1 · updated 2030-01-01T00:00:00.000Z');
  });
});
