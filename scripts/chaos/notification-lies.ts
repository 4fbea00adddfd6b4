import type { WireValue } from '../../src/codepay/canonical';
import { toDecimalString } from '../../src/codepay/money';
import { TransStatus } from '../../src/codepay/trans-status';
import type { HttpClient } from './http';
import { signedWith, type GatewayIdentity } from './notifications';
import type { PaymentPlan, PlannedRefund } from './plan';

/**
 * The "notification lies" fault: notifications signed with the gateway's own key (what CodePay's
 * key signs for every merchant) sent straight to the API's webhook while the payments run:
 * another merchant's notification about our order, "paid" for an order nobody paid yet, and refund
 * notifications saying "failed" for a refund CodePay completes, or "succeeded" with another amount,
 * currency and original order. None may move money: the reconciliation against the ledger must
 * still find 0 mismatches, and the real payment completes normally.
 *
 * Which payments are lied about follows the payment's index, not the run's PRNG, so a seed's plan
 * (and its history of findings) stays what it was before this fault existed.
 */
export interface LieTally {
  sent: number;
  /** Answers by lie kind and HTTP status, e.g. `foreign:403`, `paid-unpaid:200`. */
  answers: Record<string, number>;
  /** A lie for another merchant answered 2xx: it reached a workflow. */
  foreignAccepted: string[];
}

export const newLieTally = (): LieTally => ({ sent: 0, answers: {}, foreignAccepted: [] });

/** One payment in LIE_EVERY gets the payment lies; one refund in LIE_EVERY the refund lies. */
const LIE_EVERY = 3;
const FOREIGN = { app_id: 'another-merchant-app', merchant_no: '999000000001' };

export function createLiar(webhook: HttpClient, identity: GatewayIdentity, tally: LieTally) {
  async function send(kind: string, no: string, fields: Record<string, WireValue>): Promise<number> {
    const answer = await webhook.request('POST', '/webhooks/codepay', JSON.stringify(signedWith(identity, fields)), { headers: { 'content-type': 'application/json' } });
    tally.sent += 1;
    const key = `${kind}:${answer.status}`;
    tally.answers[key] = (tally.answers[key] ?? 0) + 1;
    if (kind === 'foreign' && answer.status < 300) tally.foreignAccepted.push(`${no}: answered ${answer.status}`);
    return answer.status;
  }

  return {
    /** Right after the order exists, before anybody paid: "paid" claims, ours and another merchant's. */
    async created(plan: PaymentPlan): Promise<void> {
      if (plan.index % LIE_EVERY !== 0) return;
      const amount = toDecimalString(plan.amountMinor, plan.currency);
      const paid = {
        merchant_order_no: plan.merchantOrderNo,
        trans_type: 1,
        trans_status: TransStatus.SUCCESS,
        price_currency: plan.currency,
        order_amount: amount,
        paid_amount: amount,
      };
      await send('foreign', plan.merchantOrderNo, { ...paid, ...FOREIGN });
      await send('paid-unpaid', plan.merchantOrderNo, paid);
    },

    /** Right after a refund was admitted, while CodePay works on it: "failed", and "succeeded" with other money. */
    async refundAdmitted(plan: PaymentPlan, refund: PlannedRefund): Promise<void> {
      if (Number(refund.refundNo.split('-R').at(-1)) % LIE_EVERY !== plan.index % LIE_EVERY) return;
      const base = {
        merchant_order_no: refund.refundNo,
        trans_type: 2,
        orig_merchant_order_no: plan.merchantOrderNo,
        price_currency: plan.currency,
        order_amount: toDecimalString(refund.amountMinor, plan.currency),
      };
      const otherCurrency = plan.currency === 'USD' ? 'EUR' : 'USD';
      await send('refund-failed', refund.refundNo, { ...base, trans_status: TransStatus.CLOSED, trans_error_code: 'LIE', trans_error_msg: 'not really' });
      await send('refund-other-money', refund.refundNo, {
        ...base,
        trans_status: TransStatus.SUCCESS,
        price_currency: otherCurrency,
        order_amount: toDecimalString(refund.amountMinor + 100, otherCurrency),
        orig_merchant_order_no: `${plan.merchantOrderNo}-X`,
      });
      await send('foreign', refund.refundNo, { ...base, trans_status: TransStatus.SUCCESS, ...FOREIGN });
    },

    /** "Paid" under another trans_no, for a payment already paid: it must go to NEEDS_REVIEW (reviewStorm). */
    async otherTransNo(plan: PaymentPlan): Promise<number> {
      const amount = toDecimalString(plan.amountMinor, plan.currency);
      return send('other-trans-no', plan.merchantOrderNo, {
        merchant_order_no: plan.merchantOrderNo,
        trans_no: `LIE${plan.index}`,
        trans_type: 1,
        trans_status: TransStatus.SUCCESS,
        price_currency: plan.currency,
        order_amount: amount,
        paid_amount: amount,
      });
    },
  };
}

export type Liar = ReturnType<typeof createLiar>;
