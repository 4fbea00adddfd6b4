import { toDecimalString } from '../../src/codepay/money';
import { PaymentResponseSchema, type PaymentResponse } from '../../src/views/payment-response';
import { HttpGaveUp, type HttpAnswer, type HttpClient } from './http';
import type { Liar } from './notification-lies';
import type { PaymentPlan, PlannedRefund } from './plan';
import type { Finding } from './reconcile';

/**
 * Drives one planned payment end to end through the merchant API (docs/design.md §4) and the sandbox's
 * shopper actions (§5), and records what the contract promises along the way: repeated requests
 * answer the same, a conflicting one 409, a refund answered 2xx is admitted for good.
 */
export interface DriverRecord {
  /** Every payment number a create request was sent for (reconciled whether or not it answered). */
  attempted: Set<string>;
  /** Refund numbers the API admitted (2xx) per payment: each must be in the final view. */
  admittedRefunds: Map<string, Set<string>>;
  /** The driver's own observations that broke the HTTP contract. */
  contract: Finding[];
  /** Calls that found no answer within their retry budget. */
  gaveUp: string[];
  /** How often an action was refused, by `action:status`, for the report. */
  refusals: Record<string, number>;
  /** When the driver first saw each payment created (ms). */
  startedAt: Map<string, number>;
}

export const newDriverRecord = (): DriverRecord => ({
  attempted: new Set(),
  admittedRefunds: new Map(),
  contract: [],
  gaveUp: [],
  refusals: {},
  startedAt: new Map(),
});

const PAID_LIKE = new Set(['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the driver may do beyond HTTP: the operator's API and SIGKILLs timed inside workflow tasks. */
export interface DriverExtras {
  liar?: Liar;
  /** An API client with an operator key (reviews). */
  operator?: HttpClient;
  /** SIGKILLs the worker this many ms from now (scripts/chaos/process-faults.ts). */
  killWorkerIn?: (delayMs: number) => void;
}

export function createDriver(api: HttpClient, sandbox: HttpClient, record: DriverRecord, { liar, operator, killWorkerIn }: DriverExtras = {}) {
  const violation = (no: string, rule: string, expected: string, actual: string): void => {
    record.contract.push({ merchantOrderNo: no, rule, expected, actual });
  };
  const refused = (action: string, status: number) => {
    const key = `${action}:${status}`;
    record.refusals[key] = (record.refusals[key] ?? 0) + 1;
  };
  const describe = (answer: HttpAnswer) => `${answer.status} ${answer.text.slice(0, 160)}`;

  async function getPayment(no: string): Promise<PaymentResponse | undefined> {
    const answer = await api.request('GET', `/v1/payments/${no}`);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw new Error(`GET /v1/payments/${no} answered ${describe(answer)}`);
    return PaymentResponseSchema.parse(answer.json);
  }

  /** Polls until `accept` holds or `timeoutMs` passes; returns the last view. */
  async function waitForView(no: string, accept: (v: PaymentResponse) => boolean, timeoutMs: number): Promise<PaymentResponse | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await getPayment(no);
      if ((view && accept(view)) || Date.now() > deadline) return view;
      await sleep(400);
    }
  }

  async function create(plan: PaymentPlan): Promise<boolean> {
    const no = plan.merchantOrderNo;
    const body = {
      merchantOrderNo: no,
      amount: toDecimalString(plan.amountMinor, plan.currency),
      currency: plan.currency,
      description: `chaos ${plan.kind} #${plan.index}`,
      expiresInSeconds: plan.expiresInSeconds,
      attach: `kind=${plan.kind}`,
    };
    record.attempted.add(no);
    const first = await api.request('POST', '/v1/payments', body);
    if (first.status !== 201 && first.status !== 200) {
      violation(no, 'create', '201 (or 200 on a retried request)', describe(first));
      return false;
    }
    record.startedAt.set(no, Date.now());
    const cashierUrl = (first.json as { cashierUrl?: string }).cashierUrl;
    if (plan.repeatCreate) {
      const again = await api.request('POST', '/v1/payments', body);
      const againUrl = (again.json as { cashierUrl?: string } | undefined)?.cashierUrl;
      if (again.status !== 200 || againUrl !== cashierUrl) violation(no, 'repeated create', `200 with cashierUrl ${cashierUrl}`, describe(again));
    }
    if (plan.conflictingCreate) {
      const conflict = await api.request('POST', '/v1/payments', { ...body, amount: toDecimalString(plan.amountMinor + 1, plan.currency) });
      if (conflict.status !== 409) violation(no, 'conflicting create', '409', describe(conflict));
    }
    return true;
  }

  async function shopper(no: string, action: 'pay' | 'decline'): Promise<boolean> {
    const answer = await sandbox.request('POST', `/sandbox/orders/${no}/${action}`, {});
    if (answer.status === 200) return true;
    refused(`sandbox-${action}`, answer.status);
    return false;
  }

  async function cancel(no: string): Promise<void> {
    const answer = await api.request('POST', `/v1/payments/${no}/cancel`);
    if (answer.status === 200) return;
    if (answer.status !== 409) return violation(no, 'cancel', '200, or 409 when not cancellable', describe(answer));
    // A retried cancel whose first attempt went through finds the payment already cancelled:
    // counted apart, since the contract asks the same request to answer the same.
    const view = await getPayment(no);
    refused(view?.status === 'CANCELLED' ? 'cancel-already-cancelled' : 'cancel', answer.status);
  }

  async function refund(plan: PaymentPlan, planned: PlannedRefund): Promise<void> {
    const { merchantOrderNo: no, currency } = plan;
    const answer = await api.request('POST', `/v1/payments/${no}/refunds`, {
      refundNo: planned.refundNo,
      amount: toDecimalString(planned.amountMinor, currency),
      reason: 'chaos',
    });
    if (answer.status === 200 || answer.status === 201) {
      const admitted = record.admittedRefunds.get(no) ?? new Set<string>();
      admitted.add(planned.refundNo);
      record.admittedRefunds.set(no, admitted);
      await liar?.refundAdmitted(plan, planned);
      return;
    }
    if (answer.status === 409 || answer.status === 422) return refused('refund', answer.status);
    violation(no, `refund ${planned.refundNo}`, '200/201, or 409/422 when not allowed', describe(answer));
  }

  /** One copy of the review decision of a reviewStorm: every copy must answer 200 (the same decision is safe to repeat). */
  async function review(no: string): Promise<void> {
    if (!operator) return violation(no, 'review', 'an operator key in the stack', 'none');
    const answer = await operator.request('POST', `/v1/payments/${no}/review`, { decision: 'accept_codepay_record', reason: 'chaos: trans_no lie checked against CodePay' });
    if (answer.status !== 200) violation(no, 'review', '200 for every copy of the same decision', describe(answer));
  }

  /** A burst of requests sent together, the worker SIGKILLed `killDelayMs` later, while the task that took them runs. */
  async function burst(plan: PaymentPlan, requests: (() => Promise<void>)[]): Promise<void> {
    const sent = Promise.all(requests.map((r) => r()));
    killWorkerIn?.(plan.killDelayMs);
    await sent;
  }

  const copies = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);

  const waitPaid = (no: string) => waitForView(no, (v) => PAID_LIKE.has(v.status) || v.status === 'CANCELLED' || v.status === 'FAILED' || v.status === 'EXPIRED' || v.status === 'NEEDS_REVIEW', 180_000);

  async function drive(plan: PaymentPlan): Promise<void> {
    const no = plan.merchantOrderNo;
    try {
      if (!(await create(plan))) return;
      await liar?.created(plan);
      switch (plan.kind) {
        case 'expire':
          return;
        case 'decline':
          await shopper(no, 'decline');
          return;
        case 'cancelUnpaid':
          await cancel(no);
          return;
        case 'pay':
          await shopper(no, 'pay');
          return;
        case 'cancelRacingPayment':
          if (await shopper(no, 'pay')) await cancel(no);
          return;
        default:
          break;
      }
      if (!(await shopper(no, 'pay'))) return;
      const paid = await waitPaid(no);
      if (!paid || !PAID_LIKE.has(paid.status)) return violation(no, 'paid', 'PAID within 180 s of paying', paid?.status ?? 'no payment');
      if (plan.kind === 'cancelPaid') return await cancel(no);
      if (plan.kind === 'cancelStorm') return await burst(plan, copies(plan.stormSize, () => () => cancel(no)));
      if (plan.kind === 'refundCancelRace') {
        const refundNow = plan.refunds[0]!;
        return await burst(plan, [...copies(plan.stormSize, () => () => refund(plan, refundNow)), ...copies(plan.stormSize, () => () => cancel(no))]);
      }
      if (plan.kind === 'reviewStorm') {
        await liar?.otherTransNo(plan);
        const flagged = await waitForView(no, (v) => v.status === 'NEEDS_REVIEW', 60_000);
        if (flagged?.status !== 'NEEDS_REVIEW') return violation(no, 'other trans_no', 'NEEDS_REVIEW after a notification naming another trans_no', flagged?.status ?? 'no payment');
        return await burst(plan, copies(plan.stormSize, () => () => review(no)));
      }
      if (plan.kind === 'refundConcurrent') {
        const burst = [...plan.refunds, ...plan.refunds.filter((r) => plan.doubledRefundNos.includes(r.refundNo))];
        await Promise.all(burst.map((r) => refund(plan, r)));
        return;
      }
      for (const planned of plan.refunds) {
        await refund(plan, planned);
        // Sequential refunds: wait for each to settle so the next one sees the remaining amount.
        await waitForView(no, (v) => v.refunds.every((r) => r.status !== 'PENDING'), 180_000);
      }
    } catch (err) {
      if (err instanceof HttpGaveUp) record.gaveUp.push(`${no}: ${err.message}`);
      else violation(no, 'driver', 'answers per contract', (err as Error).message);
    }
  }

  return { drive, getPayment };
}
