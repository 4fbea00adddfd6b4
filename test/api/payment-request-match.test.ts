import type { PaymentRequest } from '../../src/workflows/messages';
import { payloadDifferences, payloadMismatch } from '../../src/api/payment-request-match';

const original: PaymentRequest = {
  merchantOrderNo: 'ORDER-1',
  amountMinor: 1250,
  currency: 'USD',
  description: 'Green tea',
  returnUrl: 'https://shop.example/back',
  payMethodId: 'WeChatPay',
  expiresInSeconds: 900,
  attach: 'basket-1',
  language: 'en',
  shopper: { ip: '203.0.113.9', userAgent: 'Mobile Safari', os: 'IOS' },
};

describe('payloadDifferences (is a repeated create the same payment?)', () => {
  it('finds none for the exact repeat, also after a JSON round trip (workflow input)', () => {
    expect(payloadDifferences(original, { ...original })).toEqual([]);
    expect(payloadDifferences(JSON.parse(JSON.stringify(original)) as PaymentRequest, original)).toEqual([]);
    expect(payloadMismatch(original, { ...original, shopper: { os: 'IOS', userAgent: 'Mobile Safari', ip: '203.0.113.9' } })).toBeUndefined();
  });

  it.each<[string, Partial<PaymentRequest>]>([
    ['amountMinor', { amountMinor: 1251 }],
    ['currency', { currency: 'EUR' }],
    ['description', { description: 'Black tea' }],
    ['returnUrl', { returnUrl: 'https://shop.example/other' }],
    ['returnUrl', { returnUrl: undefined }],
    ['payMethodId', { payMethodId: 'Visa' }],
    ['expiresInSeconds', { expiresInSeconds: 600 }],
    ['attach', { attach: undefined }],
    ['language', { language: 'ja' }],
    ['shopper', { shopper: { ip: '203.0.113.9', userAgent: 'Mobile Safari', os: 'ANDROID' } }],
    ['shopper', { shopper: undefined }],
  ])('names %s when only it differs', (field, change) => {
    expect(payloadDifferences(original, { ...original, ...change })).toEqual([field]);
  });

  it('treats an absent shopper and an empty one as the same', () => {
    const bare: PaymentRequest = { ...original, shopper: undefined };
    expect(payloadDifferences(bare, { ...bare, shopper: {} })).toEqual([]);
  });

  it('says why a different request is another payment, naming every differing field', () => {
    expect(payloadMismatch(original, { ...original, amountMinor: 1, language: 'de' })).toBe('payment ORDER-1 already exists with a different amountMinor, language');
  });
});
