import { canonicalString } from '../../src/codepay/canonical';
import { parsePrivateKey, parsePublicKey } from '../../src/codepay/keys';
import { signFields, verifyFields } from '../../src/codepay/signing';
import {
  bareBase64Private,
  bareBase64Public,
  double,
  integer,
  JavaSdkClient,
  JavaValue,
  requestMethod,
  sdkHttpRequest,
  sdkLinkString,
  sdkReadResponse,
  sdkRequestParams,
} from '../support/java-sdk';
import { waitFor } from '../harness/wait-for';
import { gatewayKeys, MERCHANT, merchantKeys, orderNo, SandboxFixture, startFixture } from './support/sandbox-fixture';

/**
 * The sandbox speaks exactly what CodePay's own Java SDK sends and expects: requests built as
 * OpenApiClient builds them from its request classes (form-encoded, Java Double text, bare base64
 * keys; test/support/java-sdk.ts), answers read as the SDK reads them.
 */
describe('CodePay Java SDK requests against the sandbox', () => {
  let f: SandboxFixture;
  const sdk: JavaSdkClient = {
    appId: MERCHANT.appId,
    appRsaPrivateKey: bareBase64Private(merchantKeys.privateKey),
    gatewayRsaPublicKey: bareBase64Public(gatewayKeys.publicKey),
  };

  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());

  async function execute(className: string, request: Record<string, JavaValue>, tamper?: (params: Record<string, string>) => void) {
    const params = sdkRequestParams(sdk, className, { merchant_no: MERCHANT.merchantNo, ...request }, f.clock.now());
    tamper?.(params);
    const { headers, body } = sdkHttpRequest(params);
    const response = await fetch(`${f.url}/api/entry`, { method: 'POST', headers, body });
    expect(response.status).toBe(200);
    return sdkReadResponse(sdk, await response.text());
  }

  /** PayUnifiedorderRequest as a merchant fills it in the SDK (Double order_amount, Integer expires). */
  const unifiedOrder = (no: string, amount: JavaValue, currency = 'USD') => ({
    merchant_order_no: no,
    price_currency: currency,
    order_amount: amount,
    description: 'IPhone 15 white X2',
    terminal_type: 'WAP',
    expires: integer(900),
    return_url: 'https://shop.example/done?order=1',
  });

  async function paidOrder(amount: number, currency = 'USD'): Promise<string> {
    const no = orderNo('SDK');
    const answer = await execute('PayUnifiedorderRequest', unifiedOrder(no, double(amount), currency));
    expect(answer.fields.code).toBe('0');
    expect((await f.pay(no)).status).toBe(200);
    return no;
  }

  it('derives the method names the SDK sends from its request classes', () => {
    expect(
      ['PayUnifiedorderRequest', 'OrderQueryRequest', 'OrderRevokerRequest', 'OrderRefundSubmitRequest', 'OrderRefundQueryRequest'].map(requestMethod),
    ).toEqual(['pay.unifiedorder', 'order.query', 'order.revoker', 'order.refund.submit', 'order.refund.query']);
  });

  it('signs as our canonical string does, with the bare base64 keys our key files accept', () => {
    const refund = {
      merchant_no: MERCHANT.merchantNo,
      merchant_order_no: 'R-1',
      orig_merchant_order_no: 'M-1',
      price_currency: 'USD',
      order_amount: double(12.5),
      trans_amount: double(5),
      description: 'a b&c=d',
    };
    const params = sdkRequestParams(sdk, 'OrderRefundSubmitRequest', refund, 1_701_763_963_536);
    expect(params).toMatchObject({ order_amount: '12.5', trans_amount: '5.0', method: 'order.refund.submit', timestamp: '1701763963536' });
    expect(canonicalString(params)).toBe(sdkLinkString(params));
    expect(signFields(params, parsePrivateKey(sdk.appRsaPrivateKey))).toBe(params.sign);
    expect(verifyFields(params, parsePublicKey(bareBase64Public(merchantKeys.publicKey)))).toBe(true);
    expect(new URLSearchParams(sdkHttpRequest(params).body).get('description')).toBe('a b&c=d');
  });

  it('takes a form-encoded Wap order with Double amount text and answers what the SDK verifies and reads', async () => {
    const no = orderNo('SDK');
    const answer = await execute('PayUnifiedorderRequest', unifiedOrder(no, double(12.5)));
    expect(answer.verified).toBe(true);
    expect(answer.fields).toMatchObject({ code: '0', pay_url: expect.stringContaining('/cashier/'), trans_amount: '12.50' });
    expect(await f.order(no)).toMatchObject({ amount: '12.50', currency: 'USD' });
  });

  it.each([
    [10, 'USD', '10.0', '10.00'],
    [300, 'JPY', '300.0', '300'],
    [12345678.9, 'USD', '1.23456789E+7', '12345678.90'],
  ])('reads Double %d %s sent as %s', async (amount, currency, wireText, stored) => {
    expect(double(amount).toString()).toBe(wireText);
    const no = orderNo('SDK');
    expect((await execute('PayUnifiedorderRequest', unifiedOrder(no, double(amount), currency))).fields.code).toBe('0');
    expect((await f.order(no)).amount).toBe(stored);
  });

  it('queries and cancels with OrderQueryRequest and OrderRevokerRequest', async () => {
    const no = orderNo('SDK');
    await execute('PayUnifiedorderRequest', unifiedOrder(no, double(4.2)));
    const query = await execute('OrderQueryRequest', { merchant_order_no: no });
    expect(query).toMatchObject({ verified: true, fields: { code: '0', merchant_order_no: no, trans_status: '9', order_amount: '4.20' } });
    const byTransNo = await execute('OrderQueryRequest', { trans_no: query.fields.trans_no as string });
    expect(byTransNo.fields).toMatchObject({ code: '0', merchant_order_no: no });
    expect((await execute('OrderRevokerRequest', { merchant_order_no: no })).fields.code).toBe('0');
    expect((await execute('OrderQueryRequest', { merchant_order_no: no })).fields).toMatchObject({ trans_status: '1' });
  });

  describe('refund amount: trans_amount is the refund when present', () => {
    it("refunds 5.00 for the SDK's request (order_amount 12.5 = the order, trans_amount 5.0), never the whole order", async () => {
      await f.setFaults({ refundDelayMs: 0 });
      const no = await paidOrder(12.5);
      const refundNo = orderNo('SDKR');
      const submitted = await execute('OrderRefundSubmitRequest', {
        orig_merchant_order_no: no,
        merchant_order_no: refundNo,
        price_currency: 'USD',
        order_amount: double(12.5),
        trans_amount: double(5),
        description: 'Broken cup',
      });
      expect(submitted).toMatchObject({ verified: true, fields: { code: '0', trans_amount: '5.00' } });
      const done = await waitFor(
        () => execute('OrderRefundQueryRequest', { merchant_order_no: refundNo }),
        (answer) => answer.fields.trans_status === '2',
      );
      expect(done).toMatchObject({ verified: true, fields: { trans_status: '2', trans_amount: '5.00', order_amount: '12.50', orig_trans_no: expect.any(String) } });
      expect(await f.order(no)).toMatchObject({ refundedAmount: '5.00' });
    });

    it('takes order_amount equal to the refund beside trans_amount (our client sends both)', async () => {
      const no = await paidOrder(12.5);
      const answer = await execute('OrderRefundSubmitRequest', {
        orig_merchant_order_no: no,
        merchant_order_no: orderNo('SDKR'),
        price_currency: 'USD',
        order_amount: double(2),
        trans_amount: double(2),
      });
      expect(answer.fields).toMatchObject({ code: '0', trans_amount: '2.00' });
    });

    it('reads order_amount as the refund when trans_amount is absent', async () => {
      const no = await paidOrder(12.5);
      const refundNo = orderNo('SDKR');
      const answer = await execute('OrderRefundSubmitRequest', { orig_merchant_order_no: no, merchant_order_no: refundNo, price_currency: 'USD', order_amount: double(3.5) });
      expect(answer.fields).toMatchObject({ code: '0', trans_amount: '3.50' });
    });

    it('refuses an order_amount that is neither the refund nor the order (E01002), changing nothing', async () => {
      const no = await paidOrder(12.5);
      const before = (await f.ledger()).refunds;
      const answer = await execute('OrderRefundSubmitRequest', {
        orig_merchant_order_no: no,
        merchant_order_no: orderNo('SDKR'),
        price_currency: 'USD',
        order_amount: double(7),
        trans_amount: double(5),
      });
      expect(answer).toMatchObject({ verified: true, fields: { code: 'E01002', msg: expect.stringContaining('order_amount') } });
      expect((await f.ledger()).refunds).toEqual(before);
    });

    it('refuses a refund with neither amount (E01001)', async () => {
      const no = await paidOrder(12.5);
      const answer = await execute('OrderRefundSubmitRequest', { orig_merchant_order_no: no, merchant_order_no: orderNo('SDKR'), price_currency: 'USD' });
      expect(answer.fields).toMatchObject({ code: 'E01001', msg: expect.stringContaining('order_amount') });
    });
  });

  describe('a blank sign is refused (unlike SignHandler.verifySign, which returns true for it)', () => {
    it.each([
      ['empty', 'SYS011', ''],
      ['whitespace', 'SYS002', '   '],
    ])('%s sign → %s, nothing created', async (_name, code, blank) => {
      const no = orderNo('SDK');
      const answer = await execute('PayUnifiedorderRequest', unifiedOrder(no, double(1)), (params) => {
        params.sign = blank;
      });
      expect(answer.fields.code).toBe(code);
      expect((await f.control('GET', `/sandbox/orders/${no}`)).status).toBe(404);
    });
  });
});
