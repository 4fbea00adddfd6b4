import { buildRequestEnvelope } from '../../src/codepay/envelope';
import { CodePayBusinessError } from '../../src/codepay/errors';
import { verifyFields } from '../../src/codepay/signing';
import { generateTestKeyPair } from '../support/keys';

const merchant = generateTestKeyPair();
const identity = { appId: 'app-1', merchantNo: '312300000969' };

describe('buildRequestEnvelope', () => {
  it('adds the common fields as strings and signs everything with the merchant key', () => {
    const envelope = buildRequestEnvelope(identity, 'order.query', { merchant_order_no: 'M-1' }, 1_701_763_963_536, merchant.privateKey);
    expect(envelope).toEqual({
      app_id: 'app-1',
      format: 'JSON',
      charset: 'UTF-8',
      sign_type: 'RSA2',
      version: '1.0',
      timestamp: '1701763963536',
      method: 'order.query',
      merchant_no: '312300000969',
      merchant_order_no: 'M-1',
      sign: expect.stringMatching(/^[A-Za-z0-9+/]{342}==$/),
    });
    expect(verifyFields(envelope, merchant.publicKey)).toBe(true);
  });

  it('includes store_no only when there is one, and omits undefined or empty business fields', () => {
    const envelope = buildRequestEnvelope({ ...identity, storeNo: 'S-1' }, 'm', { a: undefined, b: '', c: 'x' }, 1, merchant.privateKey);
    expect(envelope.store_no).toBe('S-1');
    expect('a' in envelope).toBe(false);
    expect('b' in envelope).toBe(false);
    expect(envelope.c).toBe('x');
    expect('store_no' in buildRequestEnvelope(identity, 'm', {}, 1, merchant.privateKey)).toBe(false);
  });

  it('accepts 1–3 byte characters (accents, CJK, symbols)', () => {
    const description = 'Café crème – 二杯 €5 ☕';
    const envelope = buildRequestEnvelope(identity, 'm', { description }, 1, merchant.privateKey);
    expect(envelope.description).toBe(description);
  });

  it.each([
    ['an emoji', 'Cake 🍰'],
    ['a supplementary CJK character', 'name 𠀋'],
    ['a lone surrogate', 'broken \ud800'],
  ])('rejects %s with a business error naming the field', (_name, value) => {
    const build = () => buildRequestEnvelope(identity, 'pay.unifiedorder', { attach: value }, 1, merchant.privateKey);
    expect(build).toThrow(CodePayBusinessError);
    expect(build).toThrow(/attach contains a 4-byte character/);
  });
});
