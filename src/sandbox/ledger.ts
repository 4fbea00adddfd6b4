import { randomBytes } from 'node:crypto';
import { TransStatus } from '../codepay/trans-status';
import { GatewayCode, GatewayRejection } from './gateway-codes';

/**
 * The gateway's books: every payment order and refund with CodePay's rules (docs/codepay-protocol.md §4).
 * Synchronous and timer-free, so each operation is atomic; a rejected operation throws before it
 * changes anything, and a change is handed to `onChange` (the journal) before the method returns. Payment and refund numbers share one number space, as at CodePay (and one
 * space for all the sandbox's merchants, which keeps the control API's lookups by number simple).
 */
export interface MerchantRef {
  appId: string;
  merchantNo: string;
}

export interface NotificationAttempt {
  attempt: number;
  /** ISO-8601 UTC. */
  at: string;
  outcome: 'acked' | 'rejected' | 'failed' | 'dropped';
  /** True for the extra copy sent by the `duplicateNotifications` fault. */
  duplicate?: boolean;
  httpStatus?: number;
  error?: string;
}

/** A notification still to be (re)sent: what the notifier resumes after a restart. */
export interface PendingNotification {
  url: string;
  /** The unsigned fields, as they were when the notification was due (signed afresh per attempt). */
  fields: Record<string, string>;
  attempt: number;
  /** Epoch ms of the attempt. */
  dueAt: number;
}

export interface SandboxOrder extends MerchantRef {
  merchantOrderNo: string;
  transNo: string;
  cashierToken: string;
  currency: string;
  amountMinor: number;
  description: string;
  createdAt: number;
  expiresAt: number;
  notifyUrl?: string;
  returnUrl?: string;
  payMethodId?: string;
  attach?: string;
  language?: string;
  status: number;
  endTime?: number;
  paidAmountMinor?: number;
  paidMethodId?: string;
  payChannelTransNo?: string;
  errorCode?: string;
  errorMessage?: string;
  /** What the shopper got back when a paid order was cancelled. */
  cancelRefundMinor?: number;
  refundNos: string[];
  notifications: NotificationAttempt[];
  pendingNotification?: PendingNotification;
  /** Set by the `autoPayAfterMs` fault: when the order pays itself. */
  autoPayAt?: number;
}

export interface SandboxRefund extends MerchantRef {
  refundNo: string;
  transNo: string;
  origMerchantOrderNo: string;
  origTransNo: string;
  currency: string;
  amountMinor: number;
  /** The original order's amount, answered as `order_amount` ("Order amount" in the SDK's OrderRefundQueryResponse). */
  orderAmountMinor: number;
  description?: string;
  notifyUrl?: string;
  status: number;
  createdAt: number;
  endTime?: number;
  errorCode?: string;
  errorMessage?: string;
  notifications: NotificationAttempt[];
  pendingNotification?: PendingNotification;
  /** When an in-progress refund completes. */
  completesAt?: number;
}

/** One changed record, as the journal stores it (journal.ts). */
export type BookEntry = { order: SandboxOrder } | { refund: SandboxRefund };

/** Everything the ledger knows, as the journal hands it back after a restart. */
export interface Books {
  orders: SandboxOrder[];
  refunds: SandboxRefund[];
}

export interface NewOrder {
  merchantOrderNo: string;
  currency: string;
  amountMinor: number;
  description: string;
  expiresInSeconds: number;
  notifyUrl?: string;
  returnUrl?: string;
  payMethodId?: string;
  attach?: string;
  language?: string;
}

export interface NewRefund {
  refundNo: string;
  orig: OrderLookup;
  currency: string;
  amountMinor: number;
  /** `order_amount` sent beside `trans_amount`: must be the refund's or the original order's amount. */
  declaredOrderAmountMinor?: number;
  description?: string;
  notifyUrl?: string;
}

export type OrderLookup = { merchantOrderNo: string } | { transNo: string };

export const MAX_REFUNDS_PER_PAYMENT = 10;
export const EXPIRED_ERROR = { code: 'ORDER_EXPIRED', message: 'The order expired before it was paid' };
export const DECLINED_ERROR = { code: 'PAYMENT_DECLINED', message: 'The shopper declined the payment' };
export const CLOSED_BY_MERCHANT_ERROR = { code: 'ORDER_CLOSED', message: 'The merchant closed the order' };

/** Why the shopper cannot pay or decline (the control API answers 409). */
export class NotPayableError extends Error {
  override name = 'NotPayableError';
  constructor(readonly order: SandboxOrder) {
    super(`order ${order.merchantOrderNo} is not awaiting payment (trans_status ${order.status})`);
  }
}

const sameMerchant = (a: MerchantRef, b: MerchantRef) => a.appId === b.appId && a.merchantNo === b.merchantNo;

export class Ledger {
  private readonly orders = new Map<string, SandboxOrder>();
  private readonly refunds = new Map<string, SandboxRefund>();
  private readonly byToken = new Map<string, SandboxOrder>();
  private sequence = 0;

  constructor(
    private readonly now: () => number,
    private readonly onChange: (entry: BookEntry) => void = () => undefined,
  ) {}

  /** Takes back the books of an earlier run (journal.ts); only into an empty ledger. */
  restore(books: Books): void {
    if (this.orders.size > 0 || this.refunds.size > 0) throw new Error('restore needs an empty ledger');
    for (const order of books.orders) {
      this.orders.set(order.merchantOrderNo, order);
      this.byToken.set(order.cashierToken, order);
    }
    for (const refund of books.refunds) this.refunds.set(refund.refundNo, refund);
    // Each order and refund took one trans_no; continuing the count keeps them unique.
    this.sequence = this.orders.size + this.refunds.size;
  }

  /** For changes made outside the ledger's rules (notification attempts, scheduled work). */
  saveOrder(order: SandboxOrder): void {
    this.onChange({ order });
  }

  saveRefund(refund: SandboxRefund): void {
    this.onChange({ refund });
  }

  /** pay.unifiedorder. Returns the open order when the same number comes again. */
  createOrder(merchant: MerchantRef, request: NewOrder): { order: SandboxOrder; created: boolean } {
    const no = request.merchantOrderNo;
    if (this.refunds.has(no)) throw new GatewayRejection(GatewayCode.DUPLICATE_ORDER_NO, `Merchant order number ${no} is used by a refund`);
    const existing = this.orders.get(no);
    if (existing) {
      this.settle(existing);
      if (!sameMerchant(existing, merchant)) throw new GatewayRejection(GatewayCode.DUPLICATE_ORDER_NO, `Merchant order number ${no} is already used`);
      if (existing.status !== TransStatus.CREATED) {
        throw new GatewayRejection(GatewayCode.DUPLICATE_ORDER_NO, `Order ${no} is already final; use a new merchant order number`);
      }
      if (existing.amountMinor !== request.amountMinor || existing.currency !== request.currency) {
        throw new GatewayRejection(GatewayCode.DUPLICATE_ORDER_NO, `Order ${no} exists with a different amount or currency`);
      }
      return { order: existing, created: false };
    }
    const createdAt = this.now();
    const { expiresInSeconds, ...fields } = request;
    const order: SandboxOrder = {
      // Only the reference: the caller's merchant may carry its key, which has no place in the books.
      appId: merchant.appId,
      merchantNo: merchant.merchantNo,
      ...fields,
      transNo: this.nextTransNo(),
      cashierToken: randomBytes(18).toString('base64url'),
      createdAt,
      expiresAt: createdAt + expiresInSeconds * 1000,
      status: TransStatus.CREATED,
      refundNos: [],
      notifications: [],
    };
    this.orders.set(no, order);
    this.byToken.set(order.cashierToken, order);
    this.saveOrder(order);
    return { order, created: true };
  }

  /** order.revoker: closes an unpaid order, refunds the rest of a paid one. */
  cancelOrder(merchant: MerchantRef, lookup: OrderLookup): SandboxOrder {
    const order = this.requireOrder(merchant, lookup);
    if (order.status === TransStatus.CREATED || order.status === TransStatus.PAYING) {
      this.close(order, CLOSED_BY_MERCHANT_ERROR, this.now());
    } else if (order.status === TransStatus.SUCCESS) {
      const remaining = (order.paidAmountMinor ?? 0) - this.reservedRefundMinor(order);
      if (remaining <= 0) throw new GatewayRejection(GatewayCode.ORDER_ALREADY_REFUNDED, `Order ${order.merchantOrderNo} has been refunded`);
      order.status = TransStatus.CANCELLED;
      order.cancelRefundMinor = remaining;
      order.endTime = this.now();
    }
    this.saveOrder(order);
    return order;
  }

  /** order.refund.submit. Returns the known refund when the same number and amount come again. */
  submitRefund(merchant: MerchantRef, request: NewRefund): { refund: SandboxRefund; created: boolean } {
    const order = this.findOrder(merchant, request.orig);
    if (!order) throw new GatewayRejection(GatewayCode.ORIGINAL_NOT_FOUND, 'Original transaction not found');
    const declared = request.declaredOrderAmountMinor;
    if (declared !== undefined && declared !== request.amountMinor && declared !== order.amountMinor) {
      throw new GatewayRejection(GatewayCode.INVALID_PARAMETER, 'Invalid parameter: order_amount (neither the refund nor the order amount)');
    }
    const existing = this.refunds.get(request.refundNo);
    if (existing) {
      if (
        sameMerchant(existing, merchant) &&
        existing.origMerchantOrderNo === order.merchantOrderNo &&
        existing.amountMinor === request.amountMinor &&
        existing.currency === request.currency
      ) {
        return { refund: existing, created: false };
      }
      throw new GatewayRejection(GatewayCode.DUPLICATE_ORDER_NO, `Refund number ${request.refundNo} is already used`);
    }
    if (this.orders.has(request.refundNo)) {
      throw new GatewayRejection(GatewayCode.DUPLICATE_ORDER_NO, `Merchant order number ${request.refundNo} is used by a payment`);
    }
    if (order.status !== TransStatus.SUCCESS) {
      throw new GatewayRejection(GatewayCode.ORDER_NOT_REFUNDABLE, `Order ${order.merchantOrderNo} is not paid (trans_status ${order.status})`);
    }
    if (request.currency !== order.currency) {
      throw new GatewayRejection(GatewayCode.REFUND_CURRENCY_MISMATCH, `Refund currency must be ${order.currency}`);
    }
    if (order.refundNos.length >= MAX_REFUNDS_PER_PAYMENT) {
      throw new GatewayRejection(GatewayCode.REFUND_COUNT_EXCEEDED, `At most ${MAX_REFUNDS_PER_PAYMENT} refunds per payment`);
    }
    if (this.reservedRefundMinor(order) + request.amountMinor > (order.paidAmountMinor ?? 0)) {
      throw new GatewayRejection(GatewayCode.REFUND_AMOUNT_TOO_HIGH, 'Refund amount exceeds the refundable amount');
    }
    const refund: SandboxRefund = {
      appId: merchant.appId,
      merchantNo: merchant.merchantNo,
      refundNo: request.refundNo,
      transNo: this.nextTransNo(),
      origMerchantOrderNo: order.merchantOrderNo,
      origTransNo: order.transNo,
      currency: request.currency,
      amountMinor: request.amountMinor,
      orderAmountMinor: order.amountMinor,
      description: request.description,
      notifyUrl: request.notifyUrl ?? order.notifyUrl,
      status: TransStatus.PAYING,
      createdAt: this.now(),
      notifications: [],
    };
    this.refunds.set(refund.refundNo, refund);
    order.refundNos.push(refund.refundNo);
    this.saveRefund(refund);
    this.saveOrder(order);
    return { refund, created: true };
  }

  /**
   * The gateway's record changed behind the merchant's back, as a reversal at CodePay would (the
   * control API's override): no rule applies and no notification goes out.
   */
  override(merchantOrderNo: string, change: { transStatus: number; paidAmountMinor?: number }): SandboxOrder {
    const order = this.findOrder(undefined, { merchantOrderNo });
    if (!order) throw new GatewayRejection(GatewayCode.ORDER_NOT_FOUND, 'Merchant order number is invalid');
    order.status = change.transStatus;
    if (change.paidAmountMinor !== undefined) order.paidAmountMinor = change.paidAmountMinor;
    order.endTime ??= this.now();
    this.saveOrder(order);
    return order;
  }

  /** A refund number of the gateway's own, for a refund made in its merchant portal: unique per order and across orders. */
  portalRefundNo(order: SandboxOrder): string {
    return `PR${order.transNo}${order.refundNos.length + 1}`;
  }

  completeRefund(refundNo: string): SandboxRefund | undefined {
    const refund = this.refunds.get(refundNo);
    if (!refund || refund.status !== TransStatus.PAYING) return undefined;
    refund.status = TransStatus.SUCCESS;
    refund.endTime = this.now();
    this.saveRefund(refund);
    return refund;
  }

  /** The shopper pays at the cashier (or through the control API). */
  pay(merchantOrderNo: string, payMethodId?: string): SandboxOrder {
    const order = this.payable(merchantOrderNo);
    order.status = TransStatus.SUCCESS;
    order.paidAmountMinor = order.amountMinor;
    order.paidMethodId = payMethodId ?? order.payMethodId ?? 'Visa';
    order.payChannelTransNo = `CH${order.transNo}`;
    order.endTime = this.now();
    this.saveOrder(order);
    return order;
  }

  decline(merchantOrderNo: string): SandboxOrder {
    const order = this.payable(merchantOrderNo);
    this.close(order, DECLINED_ERROR, this.now());
    this.saveOrder(order);
    return order;
  }

  findOrder(merchant: MerchantRef | undefined, lookup: OrderLookup): SandboxOrder | undefined {
    const order =
      'merchantOrderNo' in lookup
        ? this.orders.get(lookup.merchantOrderNo)
        : [...this.orders.values()].find((o) => o.transNo === lookup.transNo);
    if (!order || (merchant && !sameMerchant(order, merchant))) return undefined;
    this.settle(order);
    return order;
  }

  findRefund(merchant: MerchantRef | undefined, lookup: OrderLookup): SandboxRefund | undefined {
    const refund =
      'merchantOrderNo' in lookup
        ? this.refunds.get(lookup.merchantOrderNo)
        : [...this.refunds.values()].find((r) => r.transNo === lookup.transNo);
    return refund && (!merchant || sameMerchant(refund, merchant)) ? refund : undefined;
  }

  orderByToken(token: string): SandboxOrder | undefined {
    const order = this.byToken.get(token);
    if (order) this.settle(order);
    return order;
  }

  refundsOf(order: SandboxOrder): SandboxRefund[] {
    return order.refundNos.map((no) => this.refunds.get(no)!);
  }

  allOrders(): SandboxOrder[] {
    for (const order of this.orders.values()) this.settle(order);
    return [...this.orders.values()];
  }

  allRefunds(): SandboxRefund[] {
    return [...this.refunds.values()];
  }

  /** Succeeded refunds only. */
  refundedMinor(order: SandboxOrder): number {
    return this.refundsOf(order)
      .filter((r) => r.status === TransStatus.SUCCESS)
      .reduce((sum, r) => sum + r.amountMinor, 0);
  }

  /** Succeeded and in-flight refunds: what can no longer be refunded again. */
  private reservedRefundMinor(order: SandboxOrder): number {
    return this.refundsOf(order)
      .filter((r) => r.status !== TransStatus.CLOSED)
      .reduce((sum, r) => sum + r.amountMinor, 0);
  }

  private requireOrder(merchant: MerchantRef, lookup: OrderLookup): SandboxOrder {
    const order = this.findOrder(merchant, lookup);
    if (!order) throw new GatewayRejection(GatewayCode.ORDER_NOT_FOUND, 'Merchant order number is invalid');
    return order;
  }

  private payable(merchantOrderNo: string): SandboxOrder {
    const order = this.findOrder(undefined, { merchantOrderNo });
    if (!order) throw new GatewayRejection(GatewayCode.ORDER_NOT_FOUND, 'Merchant order number is invalid');
    if (order.status !== TransStatus.CREATED) throw new NotPayableError(order);
    return order;
  }

  /** Lazy expiry: every read closes an order whose time is up, so an injected clock is enough. */
  private settle(order: SandboxOrder): void {
    if (order.status !== TransStatus.CREATED || this.now() < order.expiresAt) return;
    this.close(order, EXPIRED_ERROR, order.expiresAt);
  }

  private close(order: SandboxOrder, error: { code: string; message: string }, at: number): void {
    order.status = TransStatus.CLOSED;
    order.errorCode = error.code;
    order.errorMessage = error.message;
    order.endTime = at;
  }

  private nextTransNo(): string {
    this.sequence += 1;
    const stamp = new Date(this.now()).toISOString().replace(/\D/g, '').slice(0, 14);
    return `${stamp}${String(this.sequence).padStart(6, '0')}`;
  }
}
