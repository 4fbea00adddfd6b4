import { CodePayBusinessError } from '../../src/codepay/errors';
import type { CodePayClient, CreateWapOrderRequest, OrderFact, RefundFact, SubmitRefundRequest } from '../../src/codepay/model';
import { TransStatus } from '../../src/codepay/trans-status';

interface FakeOrder {
  request: CreateWapOrderRequest;
  status: number;
  transNo: string;
  paidAmountMinor?: number;
}

interface FakeRefund {
  request: SubmitRefundRequest;
  status: number;
  transNo: string;
}

/**
 * An in-memory CodePay gateway for workflow tests (a double of the gateway, never of Temporal).
 * It keeps CodePay's rules that the workflows rely on: one order per number, cancel of a paid
 * order refunds it (status 3), refunds never exceed the paid amount.
 */
export class FakeCodePay implements CodePayClient {
  readonly orders = new Map<string, FakeOrder>();
  readonly refunds = new Map<string, FakeRefund>();
  readonly calls: { method: keyof CodePayClient; key: string }[] = [];
  /** Over-refunds CodePay had to refuse: must stay empty, the workflow admits refunds. */
  readonly overRefundAttempts: string[] = [];
  rejectCreate?: { code: string; message: string };
  /** The shopper pays in the instant before our close reaches CodePay. */
  payDuringCancel = false;
  /** Pays the order when the query with this (1-based) number arrives. */
  payOnQuery?: number;
  refundOutcome: 'success' | 'pending' | 'fail' | 'reject' = 'success';
  /** Errors the next createWapOrder calls throw, one per call (transport, config…). */
  readonly createFailures: Error[] = [];
  /** Errors the next queryOrder calls throw, one per call: an outage of Query order. */
  readonly queryFailures: Error[] = [];
  /** Runs as each queryOrder call arrives (1-based count), before it answers or fails. */
  onQueryOrder?: (count: number) => Promise<void>;
  /** Rewrites what Query refund answers: CodePay's record disagreeing with the refund asked for. */
  refundAnswer?: (fact: RefundFact) => RefundFact;
  private seq = 0;

  count(method: keyof CodePayClient): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  pay(merchantOrderNo: string, paidAmountMinor?: number): OrderFact {
    const order = this.order(merchantOrderNo);
    order.status = TransStatus.SUCCESS;
    order.paidAmountMinor = paidAmountMinor ?? order.request.amountMinor;
    return this.orderFact(merchantOrderNo);
  }

  orderFact(merchantOrderNo: string): OrderFact {
    const order = this.order(merchantOrderNo);
    return {
      merchantOrderNo,
      transNo: order.transNo,
      transStatus: order.status,
      currency: order.request.currency,
      orderAmountMinor: order.request.amountMinor,
      paidAmountMinor: order.paidAmountMinor,
    };
  }

  refundFact(refundNo: string): RefundFact {
    const refund = this.refunds.get(refundNo);
    if (!refund) throw new CodePayBusinessError('E04111', 'Merchant order number is invalid', 'order.refund.query');
    return {
      refundNo,
      transNo: refund.transNo,
      origMerchantOrderNo: refund.request.merchantOrderNo,
      transStatus: refund.status,
      currency: refund.request.currency,
      amountMinor: refund.request.amountMinor,
      ...(refund.status === TransStatus.CLOSED ? { errorCode: 'R001', errorMessage: 'refund declined by the channel' } : {}),
    };
  }

  settleRefund(refundNo: string, status: number): RefundFact {
    this.refunds.get(refundNo)!.status = status;
    return this.refundFact(refundNo);
  }

  refundedMinor(merchantOrderNo: string): number {
    return [...this.refunds.values()]
      .filter((r) => r.request.merchantOrderNo === merchantOrderNo && r.status === TransStatus.SUCCESS)
      .reduce((sum, r) => sum + r.request.amountMinor, 0);
  }

  async createWapOrder(request: CreateWapOrderRequest) {
    this.calls.push({ method: 'createWapOrder', key: request.merchantOrderNo });
    const failure = this.createFailures.shift();
    if (failure) throw failure;
    if (this.rejectCreate) throw new CodePayBusinessError(this.rejectCreate.code, this.rejectCreate.message, 'pay.unifiedorder');
    if (!this.orders.has(request.merchantOrderNo)) {
      this.orders.set(request.merchantOrderNo, { request, status: TransStatus.CREATED, transNo: `T${++this.seq}` });
    }
    return { payUrl: `https://cashier.example/pay/${request.merchantOrderNo}` };
  }

  async queryOrder(merchantOrderNo: string) {
    this.calls.push({ method: 'queryOrder', key: merchantOrderNo });
    await this.onQueryOrder?.(this.count('queryOrder'));
    const failure = this.queryFailures.shift();
    if (failure) throw failure;
    if (this.payOnQuery !== undefined && this.count('queryOrder') === this.payOnQuery) this.pay(merchantOrderNo);
    return this.orderFact(merchantOrderNo);
  }

  async cancelOrder(merchantOrderNo: string) {
    this.calls.push({ method: 'cancelOrder', key: merchantOrderNo });
    const order = this.order(merchantOrderNo);
    if (this.payDuringCancel && order.status === TransStatus.CREATED) this.pay(merchantOrderNo);
    if (order.status === TransStatus.SUCCESS) order.status = TransStatus.CANCELLED;
    else if (order.status === TransStatus.CREATED || order.status === TransStatus.PAYING) order.status = TransStatus.CLOSED;
  }

  async submitRefund(request: SubmitRefundRequest) {
    this.calls.push({ method: 'submitRefund', key: request.refundNo });
    if (this.refunds.has(request.refundNo)) return this.refundFact(request.refundNo);
    if (this.refundOutcome === 'reject') throw new CodePayBusinessError('E04132', 'Partial refund not allowed', 'order.refund.submit');
    const order = this.order(request.merchantOrderNo);
    if (order.status !== TransStatus.SUCCESS) throw new CodePayBusinessError('E04120', `Order ${request.merchantOrderNo} is not paid (trans_status ${order.status})`, 'order.refund.submit');
    const committed = [...this.refunds.values()]
      .filter((r) => r.request.merchantOrderNo === request.merchantOrderNo && r.status !== TransStatus.CLOSED)
      .reduce((sum, r) => sum + r.request.amountMinor, 0);
    if (committed + request.amountMinor > (order.paidAmountMinor ?? 0)) {
      this.overRefundAttempts.push(request.refundNo);
      throw new CodePayBusinessError('E04126', 'Refund amount exceeds the refundable amount', 'order.refund.submit');
    }
    const status = { success: TransStatus.SUCCESS, pending: TransStatus.PAYING, fail: TransStatus.CLOSED }[this.refundOutcome];
    this.refunds.set(request.refundNo, { request, status, transNo: `R${++this.seq}` });
    return this.refundFact(request.refundNo);
  }

  async queryRefund(refundNo: string) {
    this.calls.push({ method: 'queryRefund', key: refundNo });
    const fact = this.refundFact(refundNo);
    return this.refundAnswer ? this.refundAnswer(fact) : fact;
  }

  private order(merchantOrderNo: string): FakeOrder {
    const order = this.orders.get(merchantOrderNo);
    if (!order) throw new CodePayBusinessError('E04111', 'Merchant order number is invalid', 'order.query');
    return order;
  }
}
