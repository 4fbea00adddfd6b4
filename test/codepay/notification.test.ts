import { parseNotification } from '../../src/codepay/notification';
import { signFields, withSignature } from '../../src/codepay/signing';
import { generateTestKeyPair } from '../support/keys';

const gateway = generateTestKeyPair();
const merchant = generateTestKeyPair();
const keys = [gateway.publicKey];

const identity = { app_id: 'app-1', merchant_no: '312300000969', sign_type: 'RSA2' };
const payment = {
  ...identity,
  merchant_order_no: 'M-1',
  trans_no: 'T-1',
  trans_type: '1',
  trans_status: '2',
  price_currency: 'USD',
  order_amount: '12.40',
  paid_amount: '12.40',
  pay_method_id: 'Visa',
  attach: 'cart=7&x=a b',
  trans_end_time: '2024-01-02 03:04:05',
};
const paymentFact = {
  merchantOrderNo: 'M-1',
  transNo: 'T-1',
  transStatus: 2,
  currency: 'USD',
  orderAmountMinor: 1240,
  paidAmountMinor: 1240,
  payMethodId: 'Visa',
  attach: 'cart=7&x=a b',
  endTime: '2024-01-02 03:04:05',
};
const refund = {
  ...identity,
  merchant_order_no: 'R-1',
  trans_no: 'T-R1',
  orig_merchant_order_no: 'M-1',
  orig_trans_no: 'T-1',
  trans_status: '2',
  price_currency: 'JPY',
  order_amount: '300',
};

const json = (fields: Record<string, string>) => JSON.stringify(withSignature(fields, gateway.privateKey));
const form = (fields: Record<string, string>) => new URLSearchParams(withSignature(fields, gateway.privateKey)).toString();
/** The fields packed in a `data` string; the signature covers the envelope with `data` as text. */
const packed = (fields: Record<string, string>, dataText = JSON.stringify(fields)) =>
  JSON.stringify(withSignature({ ...identity, data: dataText }, gateway.privateKey));

describe('parseNotification: the three forms', () => {
  it('reads a flat JSON payment notification', () => {
    expect(parseNotification(json(payment), 'application/json', keys)).toEqual({
      ok: true,
      notification: { kind: 'payment', fact: paymentFact },
      merchantOrderNo: 'M-1',
    });
  });

  it('reads the fields packed in a data string', () => {
    expect(parseNotification(packed(payment), 'application/json; charset=utf-8', keys)).toEqual({
      ok: true,
      notification: { kind: 'payment', fact: paymentFact },
      merchantOrderNo: 'M-1',
    });
  });

  it('reads a form-encoded body', () => {
    expect(parseNotification(form(payment), 'application/x-www-form-urlencoded', keys)).toEqual({
      ok: true,
      notification: { kind: 'payment', fact: paymentFact },
      merchantOrderNo: 'M-1',
    });
  });

  it.each([
    ['JSON', () => json(payment), 'application/json'],
    ['JSON without a content type', () => json(payment), undefined],
    ['a form', () => form(payment), 'application/x-www-form-urlencoded'],
  ])('reads %s that starts with a UTF-8 byte order mark', (_name, body, type) => {
    expect(parseNotification(`\uFEFF${body()}`, type, keys)).toMatchObject({ ok: true, notification: { kind: 'payment', fact: paymentFact } });
  });

  it('tells JSON from form by the body when the content type says neither', () => {
    expect(parseNotification(json(payment), undefined, keys)).toMatchObject({ ok: true });
    expect(parseNotification(form(payment), 'text/plain', keys)).toMatchObject({ ok: true });
  });

  it('keeps amounts sent as JSON numbers exactly as signed', () => {
    const fields = { ...identity, merchant_order_no: 'M-1', trans_status: 2, price_currency: 'USD', paid_amount: 12.4 };
    const raw = JSON.stringify(fields).replace('12.4', '12.40');
    const sign = signFields({ ...fields, trans_status: '2', paid_amount: '12.40' }, gateway.privateKey);
    const body = `${raw.slice(0, -1)},"sign":"${sign}"}`;
    expect(parseNotification(body, 'application/json', keys)).toMatchObject({ ok: true, notification: { fact: { paidAmountMinor: 1240 } } });
  });

  it('keeps a packed data string exactly as signed, numbers and spacing included', () => {
    const dataText = '{ "merchant_order_no": "M-1", "trans_status": 2, "price_currency": "KWD", "paid_amount": 1.250 }';
    expect(parseNotification(packed({}, dataText), 'application/json', keys)).toMatchObject({
      ok: true,
      notification: { kind: 'payment', fact: { transStatus: 2, currency: 'KWD', paidAmountMinor: 1250 } },
    });
  });
});

describe('parseNotification: payment or refund', () => {
  it('reads a refund by its original order number, routed by the refund’s own number', () => {
    expect(parseNotification(json(refund), 'application/json', keys)).toEqual({
      ok: true,
      notification: {
        kind: 'refund',
        fact: {
          refundNo: 'R-1',
          transNo: 'T-R1',
          origMerchantOrderNo: 'M-1',
          origTransNo: 'T-1',
          transStatus: 2,
          currency: 'JPY',
          amountMinor: 300,
        },
      },
      merchantOrderNo: 'R-1',
    });
  });

  it.each([
    ['orig_trans_no only', { orig_trans_no: 'T-1' }],
    ['orig_merchant_order_no only', { orig_merchant_order_no: 'M-1' }],
    ['trans_type saying refund', { trans_type: 'REFUND' }],
  ])('takes %s as a refund', (_name, extra) => {
    const fields = { ...identity, merchant_order_no: 'R-2', trans_status: '0', ...extra };
    expect(parseNotification(form(fields), 'application/x-www-form-urlencoded', keys)).toMatchObject({
      ok: true,
      notification: { kind: 'refund', fact: { refundNo: 'R-2', transStatus: 0 } },
    });
  });

  it('takes empty refund markers as absent: a payment', () => {
    const fields = { ...payment, orig_trans_no: '', orig_merchant_order_no: '' };
    expect(parseNotification(json(fields), 'application/json', keys)).toMatchObject({ ok: true, notification: { kind: 'payment' } });
  });

  it('keeps an unknown trans_status as a number, not a verdict', () => {
    expect(parseNotification(json({ ...payment, trans_status: '7' }), 'application/json', keys)).toMatchObject({
      ok: true,
      notification: { fact: { transStatus: 7 } },
    });
  });
});

describe('parseNotification: signatures', () => {
  const body = json(payment);
  const signature = (JSON.parse(body) as { sign: string }).sign;

  it.each(Object.keys(payment))('rejects the flat JSON form when %s was changed', (field) => {
    const tampered = JSON.parse(body) as Record<string, string>;
    tampered[field] = `${tampered[field]}9`;
    expect(parseNotification(JSON.stringify(tampered), 'application/json', keys)).toEqual({
      ok: false,
      reason: 'bad_signature',
      detail: expect.any(String),
    });
  });

  it.each(Object.keys(payment))('rejects the form-encoded form when %s was removed', (field) => {
    const params = new URLSearchParams(form(payment));
    params.delete(field);
    expect(parseNotification(params.toString(), 'application/x-www-form-urlencoded', keys)).toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects the packed form when the data string was re-serialised or changed', () => {
    const dataText = '{"merchant_order_no":"M-1","trans_status":2,"price_currency":"USD","paid_amount":12.40}';
    const original = JSON.parse(packed({}, dataText)) as Record<string, string>;
    for (const data of [JSON.stringify(JSON.parse(dataText)), dataText.replace('12.40', '99.40')]) {
      expect(parseNotification(JSON.stringify({ ...original, data }), 'application/json', keys)).toMatchObject({ reason: 'bad_signature' });
    }
  });

  it('rejects an unsigned notification', () => {
    expect(parseNotification(JSON.stringify(payment), 'application/json', keys)).toEqual({
      ok: false,
      reason: 'bad_signature',
      detail: 'notification is not signed',
    });
    expect(parseNotification(JSON.stringify({ ...payment, sign: '' }), 'application/json', keys)).toMatchObject({ reason: 'bad_signature' });
    // Blank is not absent: the Java SDK's SignHandler.verifySign returns true for it, we never do.
    expect(parseNotification(JSON.stringify({ ...payment, sign: '   ' }), 'application/json', keys)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(parseNotification(new URLSearchParams({ ...payment, sign: ' ' }).toString(), 'application/x-www-form-urlencoded', keys)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects a notification signed with another key (e.g. the merchant’s own)', () => {
    const signed = JSON.stringify(withSignature(payment, merchant.privateKey));
    expect(parseNotification(signed, 'application/json', keys)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('accepts any key of a rotation set', () => {
    expect(parseNotification(body, 'application/json', [merchant.publicKey, gateway.publicKey])).toMatchObject({ ok: true });
  });

  it('never puts the signature into the detail', () => {
    const tampered = JSON.stringify({ ...(JSON.parse(body) as object), trans_status: '1' });
    const result = parseNotification(tampered, 'application/json', keys);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(signature);
    expect(JSON.stringify(result)).not.toContain(signature.slice(0, 40));
  });
});

describe('parseNotification: malformed', () => {
  it.each([
    ['an empty body', '', 'application/json'],
    ['broken JSON', '{"merchant_order_no":', 'application/json'],
    ['a JSON array', '[]', 'application/json'],
    ['an empty form', '', 'application/x-www-form-urlencoded'],
  ])('rejects %s', (_name, text, type) => {
    expect(parseNotification(text, type, keys)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('rejects a form with a repeated field', () => {
    const body = `${form(payment)}&trans_status=1`;
    expect(parseNotification(body, 'application/x-www-form-urlencoded', keys)).toMatchObject({
      reason: 'malformed',
      detail: expect.stringMatching(/repeated/),
    });
  });

  it.each([
    ['no merchant_order_no', { ...identity, trans_status: '2' }, /merchant_order_no/],
    ['no trans_status', { ...identity, merchant_order_no: 'M-1' }, /trans_status/],
    ['a non-numeric trans_status', { ...payment, trans_status: 'PAID' }, /trans_status/],
    ['too many decimals', { ...payment, paid_amount: '12.405' }, /paid_amount.*decimals/],
    ['a signed amount', { ...payment, order_amount: '-12.40' }, /order_amount/],
    ['an amount without currency', { ...identity, merchant_order_no: 'M-1', trans_status: '2', paid_amount: '1.00' }, /price_currency/],
    ['an unknown currency', { ...payment, price_currency: 'usd' }, /price_currency/],
    ['a refund with too many decimals', { ...refund, order_amount: '300.5' }, /order_amount/],
  ])('rejects a signed notification with %s, saying which field', (_name, fields, detail) => {
    expect(parseNotification(json(fields as Record<string, string>), 'application/json', keys)).toEqual({
      ok: false,
      reason: 'malformed',
      detail: expect.stringMatching(detail),
    });
  });

  it('rejects a signed data string that is not a JSON object', () => {
    expect(parseNotification(packed({}, 'not json'), 'application/json', keys)).toMatchObject({
      reason: 'malformed',
      detail: expect.stringMatching(/data is not a JSON object/),
    });
  });
});

describe('parseNotification: bound to our merchant', () => {
  const ours = { appId: 'app-1', merchantNo: '312300000969' };
  const without = (fields: Record<string, string>, name: string) => Object.fromEntries(Object.entries(fields).filter(([k]) => k !== name));

  it('takes a gateway-signed notification addressed to our app_id and merchant_no, in every form', () => {
    expect(parseNotification(json(payment), 'application/json', keys, ours)).toMatchObject({ ok: true });
    expect(parseNotification(packed(payment), 'application/json', keys, ours)).toMatchObject({ ok: true });
    expect(parseNotification(form(refund), 'application/x-www-form-urlencoded', keys, ours)).toMatchObject({ ok: true, notification: { kind: 'refund' } });
  });

  it.each([
    ['another merchant_no', { ...payment, merchant_no: '999999999999' }, /merchant_no "999999999999" is not ours/],
    ['another app_id', { ...payment, app_id: 'app-2' }, /app_id "app-2" is not ours/],
    ['another merchant (refund)', { ...refund, app_id: 'app-2', merchant_no: '1' }, /app_id "app-2" is not ours, merchant_no "1" is not ours/],
    ['no app_id', without(payment, 'app_id'), /app_id missing/],
    ['no merchant_no', without(payment, 'merchant_no'), /merchant_no missing/],
    ['an empty merchant_no', { ...payment, merchant_no: '' }, /merchant_no missing/],
  ])('refuses a validly signed notification with %s as foreign_merchant', (_name, fields, detail) => {
    expect(parseNotification(json(fields), 'application/json', keys, ours)).toEqual({ ok: false, reason: 'foreign_merchant', detail: expect.stringMatching(detail) });
  });

  it('checks the signature before the binding: a forged foreign notification is a bad signature', () => {
    const forged = JSON.stringify(withSignature({ ...payment, merchant_no: '1' }, merchant.privateKey));
    expect(parseNotification(forged, 'application/json', keys, ours)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });
});
