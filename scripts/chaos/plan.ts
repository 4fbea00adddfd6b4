import type { Prng } from './prng';

/**
 * What the driver does with each payment, drawn from the seeded PRNG: the same seed gives the same
 * mix, amounts and refund splits. `expected` is the set of final states the kind may end in.
 */
export const PAYMENT_KINDS = {
  pay: { weight: 16, expected: ['PAID'] },
  decline: { weight: 8, expected: ['FAILED'] },
  expire: { weight: 8, expected: ['EXPIRED'] },
  cancelUnpaid: { weight: 8, expected: ['CANCELLED'] },
  /** Cancel right after the shopper paid, racing the notification: CodePay refunds on cancel. */
  cancelRacingPayment: { weight: 8, expected: ['CANCELLED'] },
  cancelPaid: { weight: 6, expected: ['CANCELLED'] },
  refundPartial: { weight: 14, expected: ['PARTIALLY_REFUNDED'] },
  refundFull: { weight: 12, expected: ['REFUNDED'] },
  /** Several refund requests at once (one of them sent twice), together more than was paid. */
  refundConcurrent: { weight: 12, expected: ['PARTIALLY_REFUNDED', 'REFUNDED'] },
  /**
   * The same cancel of a paid payment sent several times at once, the worker SIGKILLed while the
   * workflow task that took them runs (issue 20: four close conversations at once).
   */
  cancelStorm: { weight: 5, expected: ['CANCELLED'] },
  /**
   * A partial refund and a cancel, each sent twice, all at once, the worker SIGKILLed 30–80 ms later,
   * while their local activities run (issue 20: a cancel done at CodePay, forgotten). Either may win;
   * the ledger decides whether the outcome is right.
   */
  refundCancelRace: { weight: 6, expected: ['CANCELLED', 'PARTIALLY_REFUNDED'] },
  /** Paid, pushed to NEEDS_REVIEW by a signed notification naming another trans_no, then the same review decision sent several times at once. */
  reviewStorm: { weight: 3, expected: ['PAID'] },
} as const satisfies Record<string, { weight: number; expected: readonly string[] }>;

export type PaymentKind = keyof typeof PAYMENT_KINDS;

export interface PlannedRefund {
  refundNo: string;
  amountMinor: number;
}

export interface PaymentPlan {
  index: number;
  kind: PaymentKind;
  merchantOrderNo: string;
  currency: string;
  amountMinor: number;
  expiresInSeconds: number;
  /** Sequential refunds (refundPartial, refundFull) or one concurrent burst (refundConcurrent). */
  refunds: PlannedRefund[];
  /** Refund numbers sent twice at the same time in the burst. */
  doubledRefundNos: string[];
  /** Send the create request a second time (must answer 200 with the same payment). */
  repeatCreate: boolean;
  /** Send the create request again with another amount (must answer 409). */
  conflictingCreate: boolean;
  /** cancelStorm, refundCancelRace, reviewStorm: how many copies of each request go out at once. */
  stormSize: number;
  /** cancelStorm, refundCancelRace, reviewStorm: the worker is SIGKILLed this long after the burst was sent (when no other process fault is in flight). */
  killDelayMs: number;
}

const CURRENCIES = ['USD', 'EUR', 'JPY', 'KWD'] as const;

/** Numbers stay within CodePay's 32 characters of `[A-Za-z0-9_\-*@]`. */
export const paymentNo = (seed: number, index: number) => `CH${seed}-${String(index).padStart(6, '0')}`;

export function planPayments(count: number, seed: number, prng: Prng, expiresMinSeconds: number): PaymentPlan[] {
  const weights = Object.fromEntries(Object.entries(PAYMENT_KINDS).map(([k, v]) => [k, v.weight])) as Record<PaymentKind, number>;
  return Array.from({ length: count }, (_, index) => {
    const rng = prng.fork();
    const kind = rng.weighted(weights);
    const currency = rng.pick(CURRENCIES);
    const amountMinor = rng.int(100, 200_000);
    const no = paymentNo(seed, index);
    const refundNo = (k: number) => `${no}-R${k}`;
    let refunds: PlannedRefund[] = [];
    let doubledRefundNos: string[] = [];
    if (kind === 'refundPartial') {
      const parts = rng.int(1, 2);
      refunds = Array.from({ length: parts }, (_, k) => ({ refundNo: refundNo(k), amountMinor: rng.int(1, Math.floor(amountMinor / 3)) }));
    } else if (kind === 'refundFull') {
      refunds = splitExactly(amountMinor, rng.int(1, 3), rng).map((amount, k) => ({ refundNo: refundNo(k), amountMinor: amount }));
    } else if (kind === 'refundConcurrent') {
      refunds = Array.from({ length: rng.int(3, 5) }, (_, k) => ({ refundNo: refundNo(k), amountMinor: rng.int(Math.ceil(amountMinor / 4), Math.floor((amountMinor * 3) / 5)) }));
      doubledRefundNos = [rng.pick(refunds).refundNo];
    } else if (kind === 'refundCancelRace') {
      refunds = [{ refundNo: refundNo(0), amountMinor: rng.int(1, Math.max(1, Math.floor(amountMinor / 2))) }];
      doubledRefundNos = [refundNo(0)];
    }
    const storm = kind === 'cancelStorm' || kind === 'refundCancelRace' || kind === 'reviewStorm';
    return {
      index,
      kind,
      merchantOrderNo: no,
      currency,
      amountMinor,
      expiresInSeconds: kind === 'expire' ? expiresMinSeconds : 900,
      refunds,
      doubledRefundNos,
      repeatCreate: rng.chance(0.3),
      conflictingCreate: rng.chance(0.1),
      stormSize: storm ? (kind === 'refundCancelRace' ? 2 : rng.int(3, 5)) : 1,
      killDelayMs: storm ? rng.int(30, 80) : 0,
    };
  });
}

/** `total` in `parts` positive integers that add up to it exactly. */
function splitExactly(total: number, parts: number, rng: Prng): number[] {
  const cuts = new Set<number>();
  while (cuts.size < Math.min(parts, total) - 1) cuts.add(rng.int(1, total - 1));
  const points = [0, ...[...cuts].sort((a, b) => a - b), total];
  return points.slice(1).map((p, i) => p - points[i]!);
}
