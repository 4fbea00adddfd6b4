import fc from 'fast-check';
import type { OrderFact, RefundFact } from '../../src/codepay/model';
import { TransStatus } from '../../src/codepay/trans-status';
import type { PaymentInput, RefundView } from '../../src/workflows/messages';
import {
  CLOSED_STATUSES,
  REFUNDABLE_STATUSES,
  applyOrderFact,
  initialPaymentState,
  markClosing,
  markCreationFailed,
  markOrderCreated,
  pendingRefundMinor,
  refundableMinor,
  reserveRefund,
  settleRefund,
  type PaymentState,
} from '../../src/workflows/payment-state';
import { admitRefund, cancelRejection } from '../../src/workflows/refund-admission';
import { applyRefundFact } from '../../src/workflows/refund-state';

/**
 * Property-based tests of the pure payment state machine: any sequence of notifications, poll
 * results, cancels, expiries and refund requests/results, driven the way the workflow drives it
 * (admission before reservation, cancel only when admitted), keeps the money invariants and never
 * reopens a final state.
 */
const NO = 'M1';
const NOW = '2030-01-01T00:00:00.000Z';
const AMOUNT = 1_000;
const input: PaymentInput = { merchantOrderNo: NO, amountMinor: AMOUNT, currency: 'USD', description: 'x', expiresInSeconds: 900 };
const REFUND_NOS = ['R1', 'R2', 'R3', 'R4'];
const STATUSES = [TransStatus.CREATED, TransStatus.PAYING, TransStatus.CLOSED, TransStatus.SUCCESS, TransStatus.CANCELLED, 7];

type Command =
  | { kind: 'created' }
  | { kind: 'creationFailed' }
  | { kind: 'fact'; fact: OrderFact; source: 'notification' | 'poll' }
  | { kind: 'close'; reason: 'expiry' | 'cancel' }
  | { kind: 'refundRequest'; refundNo: string; amountMinor: number }
  | { kind: 'refundResult'; refundNo: string; status: RefundView['status'] };

const amountArb = fc.oneof(fc.constant(AMOUNT), fc.constant(undefined), fc.integer({ min: 1, max: 2 * AMOUNT }));
const anyFactArb: fc.Arbitrary<OrderFact> = fc.record({
  merchantOrderNo: fc.constantFrom(NO, NO, NO, 'OTHER'),
  transNo: fc.constantFrom('T1', 'T2', undefined),
  transStatus: fc.constantFrom(...STATUSES),
  currency: fc.constantFrom('USD', 'USD', 'EUR', undefined),
  orderAmountMinor: amountArb,
  paidAmountMinor: amountArb,
});
/** Mostly CodePay's truthful answers about this payment, so runs reach paid and refunded states. */
const truthfulFactArb: fc.Arbitrary<OrderFact> = fc.record({
  merchantOrderNo: fc.constant(NO),
  transNo: fc.constant('T1'),
  transStatus: fc.constantFrom(TransStatus.SUCCESS, TransStatus.SUCCESS, TransStatus.SUCCESS, TransStatus.CLOSED, TransStatus.CANCELLED, TransStatus.PAYING),
  currency: fc.constant('USD'),
  orderAmountMinor: fc.constant(AMOUNT),
  paidAmountMinor: fc.constant(AMOUNT),
});
const factArb = fc.oneof({ arbitrary: truthfulFactArb, weight: 2 }, { arbitrary: anyFactArb, weight: 3 });
const refundAmountArb = fc.oneof({ arbitrary: fc.constantFrom(AMOUNT / 4, AMOUNT / 2, AMOUNT), weight: 3 }, { arbitrary: fc.integer({ min: -5, max: AMOUNT + 5 }), weight: 1 });

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.constant<Command>({ kind: 'created' }), weight: 2 },
  { arbitrary: fc.constant<Command>({ kind: 'creationFailed' }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('fact' as const), fact: factArb, source: fc.constantFrom('notification' as const, 'poll' as const) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('close' as const), reason: fc.constantFrom('expiry' as const, 'cancel' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('refundRequest' as const), refundNo: fc.constantFrom(...REFUND_NOS), amountMinor: refundAmountArb }), weight: 5 },
  {
    arbitrary: fc.record({ kind: fc.constant('refundResult' as const), refundNo: fc.constantFrom(...REFUND_NOS), status: fc.constantFrom('PENDING' as const, 'SUCCEEDED' as const, 'SUCCEEDED' as const, 'FAILED' as const) }),
    weight: 5,
  },
);

/** One command as the payment workflow applies it, including the guards its handlers apply first. */
function step(state: PaymentState, command: Command): PaymentState {
  switch (command.kind) {
    case 'created':
      return markOrderCreated(state, 'https://cashier/1', NOW).state;
    case 'creationFailed':
      return state.status === 'CREATING' ? markCreationFailed(state, { code: 'E1', message: 'rejected' }, NOW).state : state;
    case 'fact':
      return applyOrderFact(state, command.fact, command.source, NOW).state;
    case 'close':
      if (command.reason === 'cancel') return cancelRejection(state) ? state : markClosing(state, 'cancel', NOW).state;
      return state.status === 'AWAITING_PAYMENT' ? markClosing(state, 'expiry', NOW).state : state;
    case 'refundRequest': {
      const admission = admitRefund(state, { refundNo: command.refundNo, amountMinor: command.amountMinor });
      return admission.kind === 'new' ? reserveRefund(state, command, NOW).state : state;
    }
    case 'refundResult':
      return settleRefund(state, { refundNo: command.refundNo, status: command.status }, NOW).state;
  }
}

/** Status, money and refunds: everything a repeated fact must leave alone (the log may grow). */
const money = (s: PaymentState) => ({
  status: s.status,
  paid: s.paidAmountMinor,
  refunded: s.refundedAmountMinor,
  refundedByCancel: s.refundedByCancel,
  refunds: s.refunds.map((r) => [r.refundNo, r.amountMinor, r.status]),
});

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const isPaidFact = (c: Command, s: PaymentState) =>
  c.kind === 'fact' && c.fact.merchantOrderNo === s.merchantOrderNo && (c.fact.transStatus === TransStatus.SUCCESS || c.fact.transStatus === TransStatus.CANCELLED);
/** A fact whose amounts and currency, where given, are the payment's own. */
const factMatches = (f: OrderFact) =>
  (f.currency === undefined || f.currency === input.currency) && (f.paidAmountMinor ?? f.orderAmountMinor ?? AMOUNT) === AMOUNT;
const closedUnpaid = (s: PaymentState) => s.status === 'EXPIRED' || s.status === 'FAILED' || (s.status === 'CANCELLED' && !s.refundedByCancel);

/** The invariants between two consecutive states, as a list of broken ones (cheap enough for thousands of steps). */
function brokenInvariants(before: PaymentState, command: Command, after: PaymentState): string[] {
  const broken: string[] = [];
  const check = (holds: boolean, what: string) => {
    if (!holds) broken.push(what);
  };
  const pending = pendingRefundMinor(after);
  // Money: never more out than in, and every succeeded refund counted exactly once.
  check(after.refundedAmountMinor + pending <= after.paidAmountMinor, `refunded ${after.refundedAmountMinor} + pending ${pending} > paid ${after.paidAmountMinor}`);
  const succeeded = sum(after.refunds.filter((r) => r.status === 'SUCCEEDED').map((r) => r.amountMinor));
  check(after.refundedAmountMinor === succeeded, `refunded ${after.refundedAmountMinor} ≠ Σ succeeded refunds ${succeeded}`);
  check(new Set(after.refunds.map((r) => r.refundNo)).size === after.refunds.length, 'a refund number listed twice');
  check(after.refundedAmountMinor >= before.refundedAmountMinor, 'refunded amount went down');
  check(refundableMinor(after) >= 0, 'negative refundable amount');
  check(before.paidAmountMinor === 0 || after.paidAmountMinor === before.paidAmountMinor, 'paid amount changed once recorded');
  // Refunds exist only on paid payments.
  check(after.refunds.length === before.refunds.length || REFUNDABLE_STATUSES.has(before.status), `refund reserved on a ${before.status} payment`);
  // Final stays final; the one way out is a payment arriving after an unpaid close, which goes to review.
  if (CLOSED_STATUSES.has(before.status)) {
    const reopenedForReview = after.status === 'NEEDS_REVIEW' && closedUnpaid(before) && command.kind === 'fact' && command.fact.transStatus === TransStatus.SUCCESS;
    check(reopenedForReview || JSON.stringify(money(after)) === JSON.stringify(money(before)), `final ${before.status} changed to ${JSON.stringify(money(after))}`);
  }
  check(before.status !== 'NEEDS_REVIEW' || after.status === 'NEEDS_REVIEW', 'left NEEDS_REVIEW by itself');
  check(after.status !== 'REFUNDED' || after.refundedAmountMinor === after.paidAmountMinor, 'REFUNDED but refunded ≠ paid');
  check(after.status !== 'PARTIALLY_REFUNDED' || after.refundedAmountMinor < after.paidAmountMinor, 'PARTIALLY_REFUNDED but fully refunded');
  return broken;
}

describe('payment state machine: properties over any sequence of facts and commands', () => {
  it('keeps the money invariants and final states final', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { minLength: 10, maxLength: 40 }), (commands) => {
        let state = initialPaymentState(input, NOW);
        for (const command of commands) {
          const next = step(state, command);
          expect(brokenInvariants(state, command, next)).toEqual([]);
          state = next;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('records a paid amount only from a fact with the payment’s own amount and currency', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { minLength: 10, maxLength: 40 }), (commands) => {
        let state = initialPaymentState(input, NOW);
        let matchingPaidFactSeen = false;
        for (const command of commands) {
          if (isPaidFact(command, state) && command.kind === 'fact' && factMatches(command.fact)) matchingPaidFactSeen = true;
          state = step(state, command);
          if (state.paidAmountMinor > 0) expect({ paid: state.paidAmountMinor, matchingPaidFactSeen }).toEqual({ paid: AMOUNT, matchingPaidFactSeen: true });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('applying the same fact twice changes nothing the second time', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { minLength: 10, maxLength: 30 }), factArb, (commands, fact) => {
        const state = commands.reduce(step, initialPaymentState(input, NOW));
        const once = applyOrderFact(state, fact, 'notification', NOW).state;
        const twice = applyOrderFact(once, fact, 'poll', NOW).state;
        expect(money(twice)).toEqual(money(once));
      }),
      { numRuns: 500 },
    );
  });

  it('a refund result applied twice is counted once', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { minLength: 10, maxLength: 30 }), fc.constantFrom(...REFUND_NOS), (commands, refundNo) => {
        const state = commands.reduce(step, initialPaymentState(input, NOW));
        const once = settleRefund(state, { refundNo, status: 'SUCCEEDED' }, NOW).state;
        const twice = settleRefund(once, { refundNo, status: 'SUCCEEDED' }, NOW).state;
        expect(money(twice)).toEqual(money(once));
      }),
      { numRuns: 500 },
    );
  });

  it('admits a refund only within the refundable amount of a paid payment', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { minLength: 10, maxLength: 30 }), fc.integer({ min: -5, max: AMOUNT + 5 }), (commands, amountMinor) => {
        const state = commands.reduce(step, initialPaymentState(input, NOW));
        const admission = admitRefund(state, { refundNo: 'NEW', amountMinor });
        if (admission.kind === 'new') {
          expect(['PAID', 'PARTIALLY_REFUNDED']).toContain(state.status);
          expect(amountMinor).toBeGreaterThan(0);
          expect(amountMinor).toBeLessThanOrEqual(refundableMinor(state));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('refund state: properties over any sequence of refund facts', () => {
  const refundFactArb: fc.Arbitrary<RefundFact> = fc.record({
    refundNo: fc.constantFrom('R1', 'R1', 'R2'),
    transNo: fc.constantFrom('RT1', undefined),
    transStatus: fc.constantFrom(...STATUSES),
  });

  it('a refund leaves PENDING once, and only a success fact about it makes it SUCCEEDED', () => {
    fc.assert(
      fc.property(fc.array(refundFactArb, { maxLength: 20 }), (facts) => {
        let view: RefundView = { refundNo: 'R1', amountMinor: 100, status: 'PENDING', requestedAt: NOW };
        for (const fact of facts) {
          const next = applyRefundFact(view, fact, NOW);
          if (view.status !== 'PENDING') expect(next).toEqual(view);
          if (next.status === 'SUCCEEDED' && view.status === 'PENDING') {
            expect(fact).toMatchObject({ refundNo: 'R1', transStatus: TransStatus.SUCCESS });
          }
          expect(next.amountMinor).toBe(100);
          view = next;
        }
      }),
      { numRuns: 500 },
    );
  });
});
