import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../../src/config';
import { CodePayCallEvent, codePayClientOptionsFromConfig, createCodePayClient, CodePayClientOptions } from '../../src/codepay/client';
import { CodePayBusinessError, CodePayConfigError, CodePayError, CodePayTransportError, CodePayUnverifiedError } from '../../src/codepay/errors';
import type { CodePayClient } from '../../src/codepay/model';
import { signFields } from '../../src/codepay/signing';
import { LiveFiles } from '../../src/secrets/live-file';
import { generateTestKeyPair, writeKeyFiles } from '../support/keys';
import { FakeGateway, startFakeGateway } from './support/fake-gateway';
import { replaceFile } from '../support/replace-file';

const merchant = generateTestKeyPair();
const gateway = generateTestKeyPair();
const stranger = generateTestKeyPair();
const NOW = 1_701_763_963_536;

let fake: FakeGateway;
let events: CodePayCallEvent[];

function client(overrides: Partial<CodePayClientOptions> = {}): CodePayClient {
  return createCodePayClient({
    baseUrl: `${fake.baseUrl}/`,
    appId: 'app-1',
    merchantNo: '312300000969',
    storeNo: 'store-7',
    privateKey: merchant.privateKey,
    gatewayPublicKeys: [gateway.publicKey],
    timeoutMs: 2_000,
    now: () => NOW,
    onCall: (event) => events.push(event),
    ...overrides,
  });
}

const ok = (data?: object | string) => ({
  kind: 'signed' as const,
  fields: { code: '0', msg: 'success', psn: 'p-1', ...(data === undefined ? {} : { data: typeof data === 'string' ? data : JSON.stringify(data) }) },
});
const failure = (code: string, msg: string) => ({ kind: 'signed' as const, fields: { code, msg, psn: 'p-2' } });

const order = {
  merchantOrderNo: 'M-1',
  amountMinor: 1240,
  currency: 'USD',
  description: 'Two coffees',
  expiresInSeconds: 900,
};

beforeEach(async () => {
  fake = await startFakeGateway(gateway.privateKey, merchant.publicKey);
  events = [];
});
afterEach(() => fake.close());

describe('requests', () => {
  it('sends Wap Payment Order as one signed flat JSON object to /api/entry', async () => {
    fake.reply(() => ok({ pay_url: 'https://cashier.example/pay/abc' }));
    const result = await client().createWapOrder({
      ...order,
      notifyUrl: 'https://shop.example/webhooks/codepay',
      returnUrl: 'https://shop.example/done',
      payMethodId: 'Alipay+',
      attach: 'cart=7',
      language: 'en',
      shopper: { ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (iPhone)', os: 'IOS' },
    });
    expect(result).toEqual({ payUrl: 'https://cashier.example/pay/abc' });
    const [request] = fake.requests;
    expect(request?.path).toBe('/api/entry');
    expect(request?.contentType).toMatch(/^application\/json/);
    expect(request?.verified).toBe(true);
    expect(request?.fields).toEqual({
      app_id: 'app-1',
      format: 'JSON',
      charset: 'UTF-8',
      sign_type: 'RSA2',
      version: '1.0',
      timestamp: String(NOW),
      method: 'pay.unifiedorder',
      merchant_no: '312300000969',
      store_no: 'store-7',
      merchant_order_no: 'M-1',
      price_currency: 'USD',
      order_amount: '12.40',
      description: 'Two coffees',
      terminal_type: 'WAP',
      expires: '900',
      notify_url: 'https://shop.example/webhooks/codepay',
      return_url: 'https://shop.example/done',
      pay_method_id: 'Alipay+',
      attach: 'cart=7',
      language: 'en',
      os_type: 'IOS',
      term_ip: '203.0.113.9',
      browser_head_user_agent: 'Mozilla/5.0 (iPhone)',
      sign: expect.any(String),
    });
    expect(events).toEqual([{ method: 'pay.unifiedorder', durationMs: 0, outcome: 'ok' }]);
  });

  it('omits optional fields that are not given and writes amounts in the currency’s digits', async () => {
    fake.reply(() => ok({ pay_url: 'https://cashier.example/pay/jpy' }));
    await client({ storeNo: undefined }).createWapOrder({ ...order, amountMinor: 300, currency: 'JPY' });
    const fields = fake.requests[0]!.fields;
    expect(Object.keys(fields).sort()).toEqual(
      [
        'app_id', 'charset', 'description', 'expires', 'format', 'merchant_no', 'merchant_order_no', 'method',
        'order_amount', 'price_currency', 'sign', 'sign_type', 'terminal_type', 'timestamp', 'version',
      ].sort(),
    );
    expect(fields.order_amount).toBe('300');
  });

  it('sends Cancel Order with the configured method name', async () => {
    fake.reply(() => ok());
    await expect(client({ methods: { cancelOrder: 'order.close' } }).cancelOrder('M-1')).resolves.toBeUndefined();
    expect(fake.requests[0]?.fields).toMatchObject({ method: 'order.close', merchant_order_no: 'M-1' });
    expect(fake.requests[0]?.verified).toBe(true);
  });

  it('submits a refund under its own number and reads an in-progress answer', async () => {
    fake.reply(() => ok({ trans_no: 'T-R1', trans_amount: '5.00' }));
    const fact = await client().submitRefund({
      refundNo: 'R-1',
      merchantOrderNo: 'M-1',
      amountMinor: 500,
      currency: 'USD',
      reason: 'Broken cup',
      notifyUrl: 'https://shop.example/webhooks/codepay',
    });
    expect(fake.requests[0]?.fields).toMatchObject({
      method: 'order.refund.submit',
      merchant_order_no: 'R-1',
      orig_merchant_order_no: 'M-1',
      // Both fields carry the refund: under either reading CodePay refunds 5.00 or refuses.
      trans_amount: '5.00',
      order_amount: '5.00',
      price_currency: 'USD',
      description: 'Broken cup',
      notify_url: 'https://shop.example/webhooks/codepay',
    });
    expect(fact).toEqual({ refundNo: 'R-1', transNo: 'T-R1', transStatus: 0, currency: 'USD', amountMinor: 500 });
  });

  it.each([
    [['trans_amount'] as const, { trans_amount: '5.00' }, ['order_amount']],
    [['order_amount'] as const, { order_amount: '5.00' }, ['trans_amount']],
  ])('sends the refund amount only in the configured fields %j', async (refundAmountFields, sent, absent) => {
    fake.reply(() => ok({ trans_no: 'T-R1', trans_amount: '5.00' }));
    await client({ refundAmountFields }).submitRefund({ refundNo: 'R-1', merchantOrderNo: 'M-1', amountMinor: 500, currency: 'USD' });
    expect(fake.requests[0]?.fields).toMatchObject(sent);
    for (const field of absent) expect(fake.requests[0]?.fields).not.toHaveProperty(field);
  });

  it('exposes the refund amount CodePay answered, even when it is not what was asked', async () => {
    // OrderRefundSubmitResponse carries the refund as a Java Double: 12.5, not 5.00.
    fake.reply(() => ok('{"trans_no":"T-R1","trans_amount":12.5}'));
    const fact = await client().submitRefund({ refundNo: 'R-1', merchantOrderNo: 'M-1', amountMinor: 500, currency: 'USD' });
    expect(fact.amountMinor).toBe(1250);
  });

  it('takes a refund’s status from the submit answer when present', async () => {
    fake.reply(() => ok({ merchant_order_no: 'R-1', trans_no: 'T-R1', trans_status: 2, trans_amount: '0.500', price_currency: 'KWD' }));
    const fact = await client().submitRefund({ refundNo: 'R-1', merchantOrderNo: 'M-1', amountMinor: 500, currency: 'KWD' });
    expect(fact).toMatchObject({ refundNo: 'R-1', transStatus: 2, amountMinor: 500, currency: 'KWD' });
  });

  it('queries an order, keeping amounts exactly as sent inside the data string', async () => {
    // A JSON number 12.40 in `data`: re-serialising would sign 12.4 and fail verification.
    const data =
      '{"merchant_order_no":"M-1","trans_no":"T-1","trans_type":"1","trans_status":2,"price_currency":"USD",' +
      '"order_amount":12.40,"paid_amount":"12.40","pay_method_id":"Visa","attach":"cart=7","trans_end_time":"2024-01-02 03:04:05",' +
      '"pay_channel_trans_no":"C-1","surprise":{"x":1},"trans_error_code":null}';
    fake.reply(() => ok(data));
    const fact = await client().queryOrder('M-1');
    expect(fake.requests[0]?.fields).toMatchObject({ method: 'order.query', merchant_order_no: 'M-1' });
    expect(fact).toEqual({
      merchantOrderNo: 'M-1',
      transNo: 'T-1',
      transStatus: 2,
      currency: 'USD',
      orderAmountMinor: 1240,
      paidAmountMinor: 1240,
      payMethodId: 'Visa',
      attach: 'cart=7',
      endTime: '2024-01-02 03:04:05',
    });
  });

  it('also reads data sent as a nested object, verified over its text as sent', async () => {
    const fields = { code: '0', data: { merchant_order_no: 'M-1', trans_status: 3 } };
    const body = JSON.stringify({ ...fields, sign: signFields(fields, gateway.privateKey) });
    fake.reply(() => ({ kind: 'raw', status: 200, body }));
    expect(await client().queryOrder('M-1')).toEqual({ merchantOrderNo: 'M-1', transStatus: 3 });
  });

  it('reads a refund query the Java SDK way: trans_amount is the refund, order_amount the order', async () => {
    // OrderRefundQueryResponse: Double order_amount ("Order amount"), Double trans_amount, Integer trans_status.
    fake.reply(() =>
      ok('{"merchant_order_no":"R-1","trans_no":"T-R1","orig_trans_no":"T-1","trans_status":2,"price_currency":"JPY","order_amount":1500.0,"trans_amount":500.0}'),
    );
    expect(await client().queryRefund('R-1')).toMatchObject({ refundNo: 'R-1', transStatus: 2, currency: 'JPY', amountMinor: 500 });
  });

  it('queries a refund', async () => {
    fake.reply(() =>
      ok({
        merchant_order_no: 'R-1',
        trans_no: 'T-R1',
        orig_trans_no: 'T-1',
        trans_status: '1',
        order_amount: '300',
        price_currency: 'JPY',
        trans_error_code: 'X1',
        trans_error_msg: 'declined by issuer',
      }),
    );
    expect(await client().queryRefund('R-1')).toEqual({
      refundNo: 'R-1',
      transNo: 'T-R1',
      origTransNo: 'T-1',
      transStatus: 1,
      currency: 'JPY',
      amountMinor: 300,
      errorCode: 'X1',
      errorMessage: 'declined by issuer',
    });
    expect(fake.requests[0]?.fields).toMatchObject({ method: 'order.refund.query', merchant_order_no: 'R-1' });
  });

  it('refuses 4-byte characters before sending anything', async () => {
    const error = await failureOf(client().createWapOrder({ ...order, description: 'Coffee ☕ and cake 🍰' }));
    expect(error).toBeInstanceOf(CodePayBusinessError);
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', retryable: false, message: expect.stringMatching(/description.*4-byte/) });
    expect(fake.requests).toHaveLength(0);
    expect(events).toEqual([{ method: 'pay.unifiedorder', durationMs: 0, outcome: 'business' }]);
  });

  it('refuses an amount that is not a whole number of minor units before sending anything', async () => {
    await expect(client().createWapOrder({ ...order, amountMinor: 12.5 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('error classes', () => {
  const call = (c: CodePayClient = client()) => failureOf(c.queryOrder('M-1'));

  it('a business code in brackets → CodePayBusinessError with that code', async () => {
    fake.reply(() => failure('-1', '[E04111]Merchant order number is invalid'));
    const error = await call();
    expect(error).toBeInstanceOf(CodePayBusinessError);
    expect(error).toMatchObject({ code: 'E04111', codepayMessage: 'Merchant order number is invalid', retryable: false, method: 'order.query' });
    expect(events.map((e) => e.outcome)).toEqual(['business']);
  });

  it('a business code without brackets keeps the envelope code', async () => {
    fake.reply(() => failure('E04126', 'Refund amount exceeds'));
    expect(await call()).toMatchObject({ name: 'CodePayBusinessError', code: 'E04126', codepayMessage: 'Refund amount exceeds' });
  });

  it.each([
    ['-1', '[SYS002]Signature verification failed', 'SYS002'],
    ['SYS011', 'Missing protocol field', 'SYS011'],
    ['-1', '[E07303]API not authorised', 'E07303'],
  ])('code %s / %s → CodePayConfigError', async (code, msg, expected) => {
    fake.reply(() => failure(code, msg));
    const error = await call();
    expect(error).toBeInstanceOf(CodePayConfigError);
    expect(error).toMatchObject({ code: expected, retryable: false });
    expect(events.map((e) => e.outcome)).toEqual(['config']);
  });

  it('an answer signed with another key → CodePayUnverifiedError (retryable), never a verdict', async () => {
    fake.reply(() => ({ ...ok({ merchant_order_no: 'M-1', trans_status: 2 }), key: stranger.privateKey }));
    const error = await call();
    expect(error).toBeInstanceOf(CodePayUnverifiedError);
    expect(error).toMatchObject({ retryable: true });
    expect(events.map((e) => e.outcome)).toEqual(['unverified']);
    expect(error.message).toMatch(/signature/);
  });

  it('an unsigned answer → CodePayUnverifiedError, with the unverified code as a hint', async () => {
    fake.reply(() => ({ kind: 'raw', status: 200, body: JSON.stringify({ code: '-1', msg: '[SYS002]sign error' }) }));
    const error = await call();
    expect(error).toBeInstanceOf(CodePayUnverifiedError);
    expect(error.message).toMatch(/missing or invalid signature.*unverified code -1/);
  });

  it.each([
    ['empty', ''],
    ['whitespace', '  '],
    ['null', null],
  ])('a success with a blank (%s) sign → CodePayUnverifiedError (the Java SDK would accept it)', async (_name, sign) => {
    // SignHandler.verifySign returns true when StringUtils.isBlank(sign): anyone on the path could strip it.
    const body = JSON.stringify({ code: '0', data: JSON.stringify({ merchant_order_no: 'M-1', trans_status: 2 }), sign });
    fake.reply(() => ({ kind: 'raw', status: 200, body }));
    expect(await call()).toBeInstanceOf(CodePayUnverifiedError);
  });

  it('a success whose data was altered after signing → CodePayUnverifiedError', async () => {
    const data = JSON.stringify({ merchant_order_no: 'M-1', trans_status: 1 });
    const fields = { code: '0', data };
    const sign = signFields(fields, gateway.privateKey);
    const forged = JSON.stringify({ ...fields, data: data.replace('"trans_status":1', '"trans_status":2'), sign });
    fake.reply(() => ({ kind: 'raw', status: 200, body: forged }));
    expect(await call()).toBeInstanceOf(CodePayUnverifiedError);
  });

  it('verifies with any of several gateway keys (rotation)', async () => {
    fake.reply(() => ok({ merchant_order_no: 'M-1', trans_status: 9 }));
    const rotated = client({ gatewayPublicKeys: [stranger.publicKey, gateway.publicKey] });
    await expect(rotated.queryOrder('M-1')).resolves.toMatchObject({ transStatus: 9 });
  });

  it.each([
    ['data that is not JSON', 'not json'],
    ['data without trans_status', { merchant_order_no: 'M-1' }],
    ['an amount with too many decimals', { merchant_order_no: 'M-1', trans_status: 2, price_currency: 'USD', paid_amount: '12.401' }],
    ['an amount without currency', { merchant_order_no: 'M-1', trans_status: 2, paid_amount: '12.40' }],
    ['an unknown currency', { merchant_order_no: 'M-1', trans_status: 2, price_currency: 'XXY', paid_amount: '12.40' }],
    ['a fact about another order', { merchant_order_no: 'M-2', trans_status: 2 }],
  ])('a signed success with %s → CodePayConfigError', async (_name, data) => {
    fake.reply(() => ok(data));
    expect(await call()).toBeInstanceOf(CodePayConfigError);
  });

  it('a signed success without pay_url → CodePayConfigError', async () => {
    fake.reply(() => ok({ trans_no: 'T-1' }));
    await expect(client().createWapOrder(order)).rejects.toBeInstanceOf(CodePayConfigError);
  });

  it('a signed envelope without code → CodePayConfigError', async () => {
    fake.reply(() => ({ kind: 'signed', fields: { msg: 'hello' } }));
    expect(await call()).toBeInstanceOf(CodePayConfigError);
  });

  it.each([500, 502, 503])('HTTP %d → retryable CodePayTransportError', async (status) => {
    fake.reply(() => ({ kind: 'raw', status, body: '<html>Bad Gateway</html>' }));
    const error = await call();
    expect(error).toBeInstanceOf(CodePayTransportError);
    expect(error).toMatchObject({ retryable: true, httpStatus: status });
    expect(events.map((e) => e.outcome)).toEqual(['transport']);
  });

  it.each([400, 401, 404])('HTTP %d → CodePayConfigError', async (status) => {
    fake.reply(() => ({ kind: 'raw', status, body: 'no' }));
    expect(await call()).toBeInstanceOf(CodePayConfigError);
  });

  it('a non-JSON 200 body → retryable CodePayTransportError', async () => {
    fake.reply(() => ({ kind: 'raw', status: 200, body: '<html>maintenance</html>' }));
    expect(await call()).toMatchObject({ name: 'CodePayTransportError', retryable: true });
  });

  it('no answer within the timeout → retryable CodePayTransportError', async () => {
    fake.reply(() => ({ kind: 'hang' }));
    const error = await call(client({ timeoutMs: 200 }));
    expect(error).toBeInstanceOf(CodePayTransportError);
    expect(error.message).toMatch(/timed out after 200 ms/);
  });

  it('connection refused → retryable CodePayTransportError', async () => {
    const port = await freePort();
    const error = await call(client({ baseUrl: `http://127.0.0.1:${port}` }));
    expect(error).toBeInstanceOf(CodePayTransportError);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('any other failure inside the client surfaces as a CodePayConfigError', async () => {
    const broken = client({ post: () => Promise.resolve({ status: 200, body: '{}' }), privateKey: gateway.publicKey });
    expect(await call(broken)).toBeInstanceOf(CodePayConfigError);
  });

  it('never puts keys or signatures into error messages', async () => {
    const secrets = [
      merchant.privatePem,
      ...merchant.privatePem.split('\n').filter((line) => line.length > 40),
      gateway.publicPem.split('\n')[1]!,
    ];
    const errors: CodePayError[] = [];
    const replies = [
      failure('-1', '[SYS002]Signature verification failed'),
      failure('-1', '[E04111]invalid'),
      { ...ok({}), key: stranger.privateKey },
      { kind: 'raw' as const, status: 200, body: '{"code":"-1","sign":"AAAA"}' },
      { kind: 'raw' as const, status: 500, body: 'x' },
      ok('not json'),
    ];
    for (const reply of replies) {
      fake.reply(() => reply);
      errors.push(await call());
    }
    const signatures = fake.requests.map((r) => r.fields.sign!);
    for (const error of errors) {
      const text = `${error.message}\n${String(error)}\n${JSON.stringify(error)}`;
      for (const secret of [...secrets, ...signatures]) expect(text).not.toContain(secret);
    }
  });
});

describe('codePayClientOptionsFromConfig', () => {
  const merchantFiles = writeKeyFiles(merchant, 'merchant');
  const gatewayFiles = writeKeyFiles(gateway, 'gateway');
  const env = {
    CODEPAY_BASE_URL: 'https://codepay-open.codepay.me',
    CODEPAY_APP_ID: 'app-9',
    CODEPAY_MERCHANT_NO: '555',
    CODEPAY_STORE_NO: 's-1',
    CODEPAY_PRIVATE_KEY_FILE: merchantFiles.privateKeyFile,
    CODEPAY_GATEWAY_PUBLIC_KEY_FILE: `${gatewayFiles.publicKeyFile},${merchantFiles.publicKeyFile}`,
    CODEPAY_TIMEOUT_MS: '1234',
    CODEPAY_METHOD_CANCEL: 'order.close',
  };

  it('reads identity, keys, timeout and the cancel method name from the configuration', () => {
    const options = codePayClientOptionsFromConfig(loadConfig(env));
    expect(options).toMatchObject({
      baseUrl: 'https://codepay-open.codepay.me',
      appId: 'app-9',
      merchantNo: '555',
      storeNo: 's-1',
      timeoutMs: 1234,
      methods: { cancelOrder: 'order.close' },
    });
    expect(options.privateKey.equals(merchant.privateKey)).toBe(true);
    expect(options.gatewayPublicKeys.map((k) => k.equals(gateway.publicKey))).toEqual([true, false]);
  });

  it('sends the refund amount in both fields unless CODEPAY_REFUND_AMOUNT_FIELDS says otherwise', () => {
    expect(codePayClientOptionsFromConfig(loadConfig(env)).refundAmountFields).toEqual(['trans_amount', 'order_amount']);
    expect(codePayClientOptionsFromConfig(loadConfig({ ...env, CODEPAY_REFUND_AMOUNT_FIELDS: ' trans_amount ' })).refundAmountFields).toEqual([
      'trans_amount',
    ]);
    expect(() => loadConfig({ ...env, CODEPAY_REFUND_AMOUNT_FIELDS: 'refund_amount' })).toThrow(/CODEPAY_REFUND_AMOUNT_FIELDS/);
    expect(() => loadConfig({ ...env, CODEPAY_REFUND_AMOUNT_FIELDS: ',' })).toThrow(/CODEPAY_REFUND_AMOUNT_FIELDS/);
  });

  it('fails loudly on missing credentials', () => {
    expect(() => codePayClientOptionsFromConfig(loadConfig({ ...env, CODEPAY_PRIVATE_KEY_FILE: '' }))).toThrow(
      /missing configuration: CODEPAY_PRIVATE_KEY_FILE/,
    );
  });

  it('names the variable of an unreadable key file without showing its contents', () => {
    const swapped = loadConfig({ ...env, CODEPAY_PRIVATE_KEY_FILE: gatewayFiles.publicKeyFile });
    let error: unknown;
    try {
      codePayClientOptionsFromConfig(swapped);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^CODEPAY_PRIVATE_KEY_FILE .*invalid RSA private key/);
    expect((error as Error).message).not.toContain(gateway.publicPem.split('\n')[1]!);
    expect(() => codePayClientOptionsFromConfig(loadConfig({ ...env, CODEPAY_GATEWAY_PUBLIC_KEY_FILE: '/nonexistent/key.pem' }))).toThrow(
      /^CODEPAY_GATEWAY_PUBLIC_KEY_FILE \(\/nonexistent\/key.pem\) cannot be used: ENOENT$/,
    );
  });
});

describe('CodePay key files, re-read while running', () => {
  it('signs with a replaced merchant key and verifies with a replaced gateway key from the next call on; a malformed file keeps the last good key', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'codepay-rotation-'));
    const privateKeyFile = path.join(dir, 'merchant_private_key.pem');
    const gatewayKeyFile = path.join(dir, 'gateway_public_key.pem');
    writeFileSync(privateKeyFile, merchant.privatePem);
    // CodePay's key is about to change: the file still holds one CodePay no longer signs with.
    writeFileSync(gatewayKeyFile, stranger.publicPem);
    const files = new LiveFiles({ pollMs: 60_000 });
    const config = loadConfig({
      CODEPAY_BASE_URL: fake.baseUrl,
      CODEPAY_APP_ID: 'app-1',
      CODEPAY_MERCHANT_NO: '312300000969',
      CODEPAY_PRIVATE_KEY_FILE: privateKeyFile,
      CODEPAY_GATEWAY_PUBLIC_KEY_FILE: gatewayKeyFile,
    });
    const live = createCodePayClient(codePayClientOptionsFromConfig(config, files));
    fake.reply(() => ok({ merchant_order_no: 'M-1', trans_status: 9 }));
    expect(await failureOf(live.queryOrder('M-1'))).toBeInstanceOf(CodePayUnverifiedError);

    // One file holds the old and the new key during CodePay's switch.
    replaceFile(gatewayKeyFile, `${stranger.publicPem}${gateway.publicPem}`);
    files.checkAll();
    await expect(live.queryOrder('M-1')).resolves.toMatchObject({ transStatus: 9 });
    expect(fake.requests.at(-1)!.verified).toBe(true);
    // A half-written second key is refused as a whole: both keys of the last good content stay.
    replaceFile(gatewayKeyFile, `${stranger.publicPem}${gateway.publicPem.slice(0, 200)}`);
    files.checkAll();
    expect(files.statuses().find((s) => s.variable === 'CODEPAY_GATEWAY_PUBLIC_KEY_FILE')).toMatchObject({ ok: false });
    await expect(live.queryOrder('M-1')).resolves.toMatchObject({ transStatus: 9 });

    // The merchant key is replaced: the gateway (still holding the old public key) sees another signer.
    replaceFile(privateKeyFile, stranger.privatePem);
    files.checkAll();
    await live.queryOrder('M-1');
    expect(fake.requests.at(-1)!.verified).toBe(false);

    // A half-written key file: the generated key cut short.
    replaceFile(privateKeyFile, merchant.privatePem.slice(0, 200));
    files.checkAll();
    expect(files.statuses().find((s) => s.variable === 'CODEPAY_PRIVATE_KEY_FILE')).toMatchObject({ ok: false, error: expect.stringMatching(/^invalid RSA private key/) });
    await live.queryOrder('M-1');
    // Still the last good key (the stranger's), not a failure.
    expect(fake.requests.at(-1)!.verified).toBe(false);
    replaceFile(privateKeyFile, merchant.privatePem);
    files.checkAll();
    await live.queryOrder('M-1');
    expect(fake.requests.at(-1)!.verified).toBe(true);
    files.close();
  });
});

async function failureOf(promise: Promise<unknown>): Promise<CodePayError> {
  try {
    await promise;
  } catch (err) {
    return err as CodePayError;
  }
  throw new Error('expected the call to fail');
}

/** A port nothing listens on: bound once, then released. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
