import { createDriver, newDriverRecord } from '../../scripts/chaos/driver';
import { createHttpClient, newHttpStats } from '../../scripts/chaos/http';
import { createLiar, newLieTally } from '../../scripts/chaos/notification-lies';
import type { PaymentPlan } from '../../scripts/chaos/plan';
import { APP_ID, MERCHANT_NO, type ApiStack, orderNo, startApiStack, TEST_API_KEY, TEST_OPERATOR_KEY } from '../api/support/api-stack';

/**
 * The chaos driver's storms against the in-process API, worker and sandbox (no process is killed
 * here: the kill hook only records when it would have fired). Each storm must keep the HTTP
 * contract and end where its kind expects.
 */
describe('chaos driver storms', () => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack();
  }, 60_000);
  afterAll(() => stack?.close(), 30_000);

  const plan = (kind: PaymentPlan['kind'], extra: Partial<PaymentPlan> = {}): PaymentPlan => {
    const no = orderNo(kind.slice(0, 6));
    return { index: 1, kind, merchantOrderNo: no, currency: 'USD', amountMinor: 1_000, expiresInSeconds: 900, refunds: [], doubledRefundNos: [], repeatCreate: false, conflictingCreate: false, stormSize: 3, killDelayMs: 42, ...extra };
  };

  it.each([
    ['cancelStorm', {}, ['CANCELLED']],
    ['refundCancelRace', { stormSize: 2 }, ['CANCELLED', 'PARTIALLY_REFUNDED']],
    ['reviewStorm', {}, ['PAID']],
  ] as [PaymentPlan['kind'], Partial<PaymentPlan>, string[]][])('%s keeps the contract and ends as its kind expects', async (kind, extra, expected) => {
    const stats = newHttpStats();
    const client = (key: string) => createHttpClient({ baseUrl: stack.apiUrl, headers: { authorization: `Bearer ${key}` }, budgetMs: 30_000, attemptTimeoutMs: 10_000, stats });
    const sandbox = createHttpClient({ baseUrl: stack.sandboxUrl, budgetMs: 10_000, attemptTimeoutMs: 5_000, stats: newHttpStats() });
    const lies = newLieTally();
    const liar = createLiar(createHttpClient({ baseUrl: stack.apiUrl, budgetMs: 10_000, attemptTimeoutMs: 5_000, stats: newHttpStats() }), { appId: APP_ID, merchantNo: MERCHANT_NO, privateKey: stack.gateway.privateKey }, lies);
    const kills: number[] = [];
    const record = newDriverRecord();
    const driver = createDriver(client(TEST_API_KEY), sandbox, record, { liar, operator: client(TEST_OPERATOR_KEY), killWorkerIn: (ms) => kills.push(ms) });
    const p = plan(kind, extra);
    if (kind === 'refundCancelRace') p.refunds = [{ refundNo: `${p.merchantOrderNo}-R0`, amountMinor: 300 }];
    await driver.drive(p);
    expect(record.contract).toEqual([]);
    expect(record.gaveUp).toEqual([]);
    expect(kills).toEqual([42]);
    const view = await driver.getPayment(p.merchantOrderNo);
    expect(expected).toContain(view?.status);
    if (kind === 'reviewStorm') {
      expect(lies.answers).toMatchObject({ 'other-trans-no:200': 1 });
      expect(view?.review?.resolution).toMatchObject({ decision: 'accept_codepay_record' });
    }
  }, 60_000);
});
