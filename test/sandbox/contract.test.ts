import { CodePayClientOptions, createCodePayClient } from '../../src/codepay/client';
import { CodePayBusinessError, CodePayConfigError, CodePayTransportError, CodePayUnverifiedError } from '../../src/codepay/errors';
import type { CodePayClient } from '../../src/codepay/model';
import { NO_FAULTS } from '../../src/sandbox/faults';
import { generateTestKeyPair } from '../support/keys';
import { waitFor } from '../harness/wait-for';
import { gatewayKeys, MERCHANT, merchantKeys, orderNo, startFixture } from './support/sandbox-fixture';

type Fixture = Awaited<ReturnType<typeof startFixture>>;

/**
 * The real client against the sandbox: every call, and every error class the client tells apart
 * (business, configuration, bad response signature, transport), arising from the sandbox itself.
 */
describe('CodePay client ↔ sandbox contract', () => {
  let f: Fixture;
  const stranger = generateTestKeyPair();
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());
  afterEach(() => f.setFaults(NO_FAULTS));

  const client = (overrides: Partial<CodePayClientOptions> = {}): CodePayClient =>
    createCodePayClient({
      baseUrl: f.url,
      appId: MERCHANT.appId,
      merchantNo: MERCHANT.merchantNo,
      privateKey: merchantKeys.privateKey,
      gatewayPublicKeys: [gatewayKeys.publicKey],
      timeoutMs: 5_000,
      now: f.clock.now,
      ...overrides,
    });
  const order = (merchantOrderNo = orderNo('CT')) => ({
    merchantOrderNo,
    amountMinor: 1240,
    currency: 'USD',
    description: 'Two coffees',
    expiresInSeconds: 900,
    notifyUrl: 'https://shop.example/webhooks/codepay',
    returnUrl: 'https://shop.example/done',
    payMethodId: 'Visa',
    attach: 'cart-9',
    language: 'en',
    shopper: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0', os: 'IOS' as const },
  });
  const paidOrder = async (amountMinor = 1240) => {
    const request = { ...order(), amountMinor };
    await client().createWapOrder(request);
    await f.pay(request.merchantOrderNo);
    return request.merchantOrderNo;
  };

  describe('every call', () => {
    it('createWapOrder returns the cashier URL, the same one again for the same open order', async () => {
      const request = order();
      const { payUrl } = await client().createWapOrder(request);
      expect(payUrl).toMatch(new RegExp(`^${f.url}/cashier/`));
      expect((await client().createWapOrder(request)).payUrl).toBe(payUrl);
      expect(await f.order(request.merchantOrderNo)).toMatchObject({ amount: '12.40', attach: 'cart-9', payMethodId: 'Visa', returnUrl: 'https://shop.example/done' });
    });

    it('queryOrder reads an open order, then the paid one', async () => {
      const request = order();
      await client().createWapOrder(request);
      const open = await client().queryOrder(request.merchantOrderNo);
      expect(open).toMatchObject({ merchantOrderNo: request.merchantOrderNo, transStatus: 9, currency: 'USD', orderAmountMinor: 1240, attach: 'cart-9' });
      expect(open.paidAmountMinor).toBeUndefined();
      await f.pay(request.merchantOrderNo, 'WeChatPay');
      expect(await client().queryOrder(request.merchantOrderNo)).toMatchObject({
        transNo: open.transNo,
        transStatus: 2,
        paidAmountMinor: 1240,
        payMethodId: 'WeChatPay',
        endTime: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      });
    });

    it('cancelOrder closes an unpaid order (1) and cancels a paid one (3)', async () => {
      const unpaid = order();
      await client().createWapOrder(unpaid);
      await client().cancelOrder(unpaid.merchantOrderNo);
      expect(await client().queryOrder(unpaid.merchantOrderNo)).toMatchObject({ transStatus: 1, errorCode: 'ORDER_CLOSED' });
      await client().cancelOrder(unpaid.merchantOrderNo);

      const paid = await paidOrder();
      await client().cancelOrder(paid);
      expect(await client().queryOrder(paid)).toMatchObject({ transStatus: 3, paidAmountMinor: 1240 });
    });

    it('submitRefund answers the refund in progress; queryRefund sees it done', async () => {
      await f.setFaults({ refundDelayMs: 200 });
      const no = await paidOrder();
      const refundNo = orderNo('RF');
      const submitted = await client().submitRefund({ refundNo, merchantOrderNo: no, amountMinor: 240, currency: 'USD', reason: 'one coffee' });
      expect(submitted).toMatchObject({ refundNo, origMerchantOrderNo: no, transStatus: 0, amountMinor: 240, currency: 'USD' });
      const done = await waitFor(() => client().queryRefund(refundNo), (r) => r.transStatus === 2);
      expect(done).toMatchObject({ refundNo, transNo: submitted.transNo, amountMinor: 240, origMerchantOrderNo: no });
      expect(await client().submitRefund({ refundNo, merchantOrderNo: no, amountMinor: 240, currency: 'USD' })).toMatchObject({ transNo: submitted.transNo, transStatus: 2 });
    });

    it('carries zero- and three-digit currencies exactly', async () => {
      const jpy = { ...order(), amountMinor: 300, currency: 'JPY' };
      const kwd = { ...order(), amountMinor: 1234, currency: 'KWD' };
      await client().createWapOrder(jpy);
      await client().createWapOrder(kwd);
      expect(await client().queryOrder(jpy.merchantOrderNo)).toMatchObject({ orderAmountMinor: 300, currency: 'JPY' });
      expect(await client().queryOrder(kwd.merchantOrderNo)).toMatchObject({ orderAmountMinor: 1234, currency: 'KWD' });
      expect(await f.order(kwd.merchantOrderNo)).toMatchObject({ amount: '1.234' });
    });
  });

  describe('business rejections → CodePayBusinessError (not retryable, code kept)', () => {
    const expectBusiness = async (call: Promise<unknown>, code: string) => {
      const err = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CodePayBusinessError);
      expect(err).toMatchObject({ code, retryable: false });
    };

    it('unknown order (E04111), unknown refund (E04110)', async () => {
      await expectBusiness(client().queryOrder('NOPE'), 'E04111');
      await expectBusiness(client().cancelOrder('NOPE'), 'E04111');
      await expectBusiness(client().queryRefund('NOPE'), 'E04110');
      await expectBusiness(client().submitRefund({ refundNo: orderNo('RF'), merchantOrderNo: 'NOPE', amountMinor: 1, currency: 'USD' }), 'E04110');
    });

    it('same number with another amount, or after it is final (E04101)', async () => {
      const request = order();
      await client().createWapOrder(request);
      await expectBusiness(client().createWapOrder({ ...request, amountMinor: 999 }), 'E04101');
      await f.pay(request.merchantOrderNo);
      await expectBusiness(client().createWapOrder(request), 'E04101');
    });

    it('over-refund (E04126), refund of an unpaid order (E04120), another currency (E04133), refunded order cancel (E04102)', async () => {
      const no = await paidOrder(1000);
      await expectBusiness(client().submitRefund({ refundNo: orderNo('RF'), merchantOrderNo: no, amountMinor: 1001, currency: 'USD' }), 'E04126');
      await expectBusiness(client().submitRefund({ refundNo: orderNo('RF'), merchantOrderNo: no, amountMinor: 100, currency: 'EUR' }), 'E04133');
      await client().submitRefund({ refundNo: orderNo('RF'), merchantOrderNo: no, amountMinor: 1000, currency: 'USD' });
      await expectBusiness(client().cancelOrder(no), 'E04102');
      const unpaid = order();
      await client().createWapOrder(unpaid);
      await expectBusiness(client().submitRefund({ refundNo: orderNo('RF'), merchantOrderNo: unpaid.merchantOrderNo, amountMinor: 1, currency: 'USD' }), 'E04120');
    });

    it('an invalid order number is refused by the sandbox (E01002)', async () => {
      await expectBusiness(client().createWapOrder(order('has space')), 'E01002');
    });
  });

  describe('configuration problems → CodePayConfigError', () => {
    const expectConfig = async (call: Promise<unknown>, code?: string) => {
      const err = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CodePayConfigError);
      expect(err).toMatchObject({ retryable: false, ...(code ? { code } : {}) });
      return err as CodePayConfigError;
    };

    it('the wrong merchant private key (SYS002)', async () => {
      await expectConfig(client({ privateKey: stranger.privateKey }).createWapOrder(order()), 'SYS002');
    });

    it('an unknown app id or merchant number (E07301)', async () => {
      await expectConfig(client({ appId: 'wrong-app' }).queryOrder('ANY'), 'E07301');
      await expectConfig(client({ merchantNo: '1' }).queryOrder('ANY'), 'E07301');
    });

    it('a method name the gateway does not know (E07303)', async () => {
      const request = order();
      await client().createWapOrder(request);
      await expectConfig(client({ methods: { cancelOrder: 'order.close' } }).cancelOrder(request.merchantOrderNo), 'E07303');
      expect((await f.order(request.merchantOrderNo)).status).toBe(9);
    });

    it('a clock more than 15 minutes off (SYS003)', async () => {
      await expectConfig(client({ now: () => f.clock.now() - 20 * 60_000 }).queryOrder('ANY'), 'SYS003');
    });

  });

  describe('answers that do not verify → CodePayUnverifiedError (retried, never a verdict)', () => {
    const expectUnverified = async (call: Promise<unknown>) => {
      const err = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CodePayUnverifiedError);
      expect(err).toMatchObject({ retryable: true });
      return err as CodePayUnverifiedError;
    };

    it('the wrong gateway public key: answers do not verify', async () => {
      const err = await expectUnverified(client({ gatewayPublicKeys: [stranger.publicKey] }).queryOrder('ANY'));
      expect(err.message).toMatch(/signature/);
    });

    it('badSignatureRate: a committed answer signed with a wrong key is refused; the retry finds the same order', async () => {
      await f.setFaults({ badSignatureRate: 1 });
      const request = order();
      const err = await expectUnverified(client().createWapOrder(request));
      expect(err.message).toMatch(/signature/);
      await f.setFaults({ badSignatureRate: 0 });
      expect((await f.order(request.merchantOrderNo)).status).toBe(9);
      const retried = await client().createWapOrder(request);
      expect(retried.payUrl).toBe((await f.order(request.merchantOrderNo)).payUrl);
    });
  });

  describe('transport failures → CodePayTransportError (retryable)', () => {
    const expectTransport = async (call: Promise<unknown>) => {
      const err = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CodePayTransportError);
      expect(err).toMatchObject({ retryable: true });
      return err as CodePayTransportError;
    };

    it('errorRate: HTTP 502/503 before processing; nothing was created', async () => {
      await f.setFaults({ errorRate: 1 });
      const request = order();
      const err = await expectTransport(client().createWapOrder(request));
      expect([502, 503]).toContain(err.httpStatus);
      await f.setFaults({ errorRate: 0 });
      expect((await f.control('GET', `/sandbox/orders/${request.merchantOrderNo}`)).status).toBe(404);
    });

    it('timeoutRate: timeout after commit; the retry gets the same order', async () => {
      await f.setFaults({ timeoutRate: 1 });
      const request = order();
      await expectTransport(client({ timeoutMs: 300 }).createWapOrder(request));
      await f.setFaults({ timeoutRate: 0 });
      const committed = await f.order(request.merchantOrderNo);
      expect(committed.status).toBe(9);
      expect((await client().createWapOrder(request)).payUrl).toBe(committed.payUrl);
    });

    it('latencyMs beyond the client timeout', async () => {
      await f.setFaults({ latencyMs: 1000 });
      await expectTransport(client({ timeoutMs: 200 }).queryOrder('ANY'));
    });

    it('a gateway that is not there', async () => {
      const gone = await startFixture();
      const url = gone.url;
      await gone.close();
      await expectTransport(client({ baseUrl: url }).queryOrder('ANY'));
    });
  });
});
