import fc from 'fast-check';
import type { OrderFact, RefundFact } from '../../src/codepay/model';
import {
  CreateWapOrderDataSchema,
  OrderFactSchema,
  orderFactFields,
  presentFields,
  refundFactFields,
  RefundFactSchema,
  refundFactSchema,
  ResponseEnvelopeSchema,
} from '../../src/codepay/schemas';

describe('wire schemas', () => {
  it('treats null and empty values as absent', () => {
    expect(presentFields({ a: 'x', b: null, c: '', d: '0' })).toEqual({ a: 'x', d: '0' });
  });

  it('reads the response envelope, ignoring unknown fields', () => {
    expect(ResponseEnvelopeSchema.parse({ code: '0', msg: 'ok', psn: 'p', data: '{}', sign: 's', extra: '1' })).toEqual({
      code: '0',
      msg: 'ok',
      psn: 'p',
      data: '{}',
    });
    expect(ResponseEnvelopeSchema.safeParse({ msg: 'no code' }).success).toBe(false);
  });

  it('takes only an http(s) cashier URL', () => {
    expect(CreateWapOrderDataSchema.parse({ pay_url: 'https://cashier.example/p?o=1', trans_amount: '1.00' })).toEqual({
      payUrl: 'https://cashier.example/p?o=1',
    });
    for (const pay_url of ['javascript:alert(1)', 'cashier/relative', 'ftp://x.example/p']) {
      expect(CreateWapOrderDataSchema.safeParse({ pay_url }).success).toBe(false);
    }
  });

  it('reads an order with minimal fields', () => {
    expect(OrderFactSchema.parse({ merchant_order_no: 'M-1', trans_status: '9' })).toEqual({ merchantOrderNo: 'M-1', transStatus: 9 });
  });

  it('reads amounts in the message’s currency digits', () => {
    expect(OrderFactSchema.parse({ merchant_order_no: 'M', trans_status: '2', price_currency: 'JPY', order_amount: '300', paid_amount: '300' })).toMatchObject({
      orderAmountMinor: 300,
      paidAmountMinor: 300,
    });
    expect(OrderFactSchema.safeParse({ merchant_order_no: 'M', trans_status: '2', price_currency: 'JPY', paid_amount: '300.5' }).success).toBe(false);
    expect(OrderFactSchema.parse({ merchant_order_no: 'M', trans_status: '2', price_currency: 'KWD', paid_amount: '1.005' })).toMatchObject({
      paidAmountMinor: 1005,
    });
  });

  it('fills a refund submit answer from the request: number, currency, in-progress status', () => {
    const schema = refundFactSchema({ currency: 'USD', refundNo: 'R-1' });
    expect(schema.parse({ trans_no: 'T', trans_amount: '5.5' })).toEqual({ refundNo: 'R-1', transNo: 'T', transStatus: 0, currency: 'USD', amountMinor: 550 });
    // trans_amount is the refund ("Refund Amount" in the Java SDK); order_amount may be the order's.
    expect(schema.parse({ trans_no: 'T', order_amount: '12.50', trans_amount: '4.00' })).toMatchObject({ amountMinor: 400 });
    expect(schema.parse({ trans_no: 'T', order_amount: '4.00' })).toMatchObject({ amountMinor: 400 });
    expect(schema.safeParse({ trans_amount: '5.555' }).success).toBe(false);
  });

  it('requires number and status in a refund query answer', () => {
    expect(RefundFactSchema.safeParse({ trans_status: '2' }).success).toBe(false);
    expect(RefundFactSchema.safeParse({ merchant_order_no: 'R-1' }).success).toBe(false);
  });
});

describe('fact fields round trip (what the sandbox sends is what the client reads)', () => {
  const currency = fc.constantFrom('JPY', 'USD', 'KWD');
  const text = fc.string({ minLength: 1, maxLength: 12 });
  const minor = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
  const status = fc.integer({ min: 0, max: 99 });

  it('an OrderFact survives orderFactFields → OrderFactSchema', () => {
    const orderFact: fc.Arbitrary<OrderFact> = fc.record(
      {
        merchantOrderNo: text,
        transNo: text,
        transStatus: status,
        currency,
        orderAmountMinor: minor,
        paidAmountMinor: minor,
        payMethodId: text,
        attach: text,
        endTime: text,
        errorCode: text,
        errorMessage: text,
      },
      { requiredKeys: ['merchantOrderNo', 'transStatus', 'currency'] },
    );
    fc.assert(fc.property(orderFact, (fact) => expect(OrderFactSchema.parse(orderFactFields(fact))).toEqual(fact)));
  });

  it('a RefundFact survives refundFactFields → RefundFactSchema', () => {
    const refundFact: fc.Arbitrary<RefundFact> = fc.record(
      {
        refundNo: text,
        transNo: text,
        origTransNo: text,
        origMerchantOrderNo: text,
        transStatus: status,
        currency,
        amountMinor: minor,
        endTime: text,
        errorCode: text,
        errorMessage: text,
      },
      { requiredKeys: ['refundNo', 'transStatus', 'currency'] },
    );
    fc.assert(fc.property(refundFact, (fact) => expect(RefundFactSchema.parse(refundFactFields(fact))).toEqual(fact)));
  });

  it('refuses to write an amount without its currency', () => {
    expect(() => orderFactFields({ merchantOrderNo: 'M', transStatus: 2, paidAmountMinor: 5 })).toThrow(/currency/);
  });
});
