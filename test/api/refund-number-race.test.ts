import type { Problem } from '../../src/api/problem';
import type { RefundResponse } from '../../src/views/payment-response';
import { type ApiStack, paidPayment as paidPaymentVia, startApiStack } from './support/api-stack';

const PROBLEM = 'urn:codepay-temporal:problem:';
const TRIES = 20;

/**
 * One refund number sent to two paid payments at once, in the order A, B, B, A: a 2xx must mean
 * the refund exists on that payment; every other answer is 409 refund-no-conflict (issue 27). Before
 * the payment's conversations were serialized (docs/design.md §2.8), the loser's second request
 * found the first one's reservation while its child start was in flight, answered 201 PENDING, and
 * the reservation was then released (this test failed on its first try there).
 */
describe('a refund number raced on two payments', () => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack();
  }, 60_000);
  afterAll(() => stack?.close(), 30_000);

  const paidPayment = (tag: string) => paidPaymentVia(stack, tag);

  it(`answers 2xx only for a refund that exists and 409 for the others, ${TRIES} tries in a row`, async () => {
    for (let attempt = 1; attempt <= TRIES; attempt += 1) {
      const [a, b] = await Promise.all([paidPayment('RCA'), paidPayment('RCB')]);
      const refundNo = `${a}RN`;
      const order = [a, b, b, a];
      const answers = await Promise.all(order.map(async (no, i) => {
        // All at once on some tries, 15–45 ms apart on others: both the API's checks and the workflow's race.
        await new Promise((r) => setTimeout(r, i * (attempt % 4) * 15));
        return stack.api<RefundResponse | Problem>('POST', `/v1/payments/${no}/refunds`, { refundNo, amount: '1.00' });
      }));
      const outcome = order.map((no, i) => ({ no, status: answers[i]!.status, type: (answers[i]!.body as Problem).type }));
      for (const { no, status, type } of outcome) {
        if (status === 200 || status === 201) {
          const read = await stack.api<RefundResponse>('GET', `/v1/payments/${no}/refunds/${refundNo}`);
          expect({ attempt, no, read: read.status }).toEqual({ attempt, no, read: 200 });
        } else {
          expect({ attempt, no, status, type }).toEqual({ attempt, no, status: 409, type: `${PROBLEM}refund-no-conflict` });
        }
      }
      // One payment holds the refund; the other's answers were all 409.
      const winners = new Set(outcome.filter((o) => o.status < 300).map((o) => o.no));
      expect({ attempt, winners: winners.size }).toEqual({ attempt, winners: 1 });
    }
  }, 300_000);
});
