import { createPublicKey, KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { FaultsUpdate, Faults, NO_FAULTS } from './faults';
import { GatewayCode, GatewayRejection } from './gateway-codes';
import { GatewaySigner } from './gateway-signer';
import { TransStatus } from '../codepay/trans-status';
import { Journal, openJournal } from './journal';
import { Ledger, MerchantRef, NewOrder, NewRefund, OrderLookup, SandboxOrder, SandboxRefund } from './ledger';
import { Notifier, NotificationJob } from './notifier';
import { Scheduler } from './scheduler';
import { orderWireFields, refundWireFields, WireFields } from './wire-fields';

export interface SandboxMerchant {
  appId: string;
  merchantNo: string;
  publicKey: KeyObject;
  name?: string;
}

export interface GatewayOptions {
  gatewayPrivateKey: KeyObject;
  merchants: SandboxMerchant[];
  /** Base of `pay_url`; may be set once the server knows its port. */
  publicUrl?: string;
  notifyTimeScale: number;
  /** The journal of the books (journal.ts); without it they live in memory only. */
  booksFile?: string;
  now: () => number;
  random: () => number;
  logger: Logger;
}

/**
 * The sandbox's running state: the ledger plus what happens by itself afterwards — auto-pay,
 * refund completion, notifications — all driven by one scheduler that `close` stops. With a
 * `booksFile` every change is journaled, and a new gateway on the same file takes the books back
 * and resumes the pending work where it stopped.
 */
export class SandboxGateway {
  readonly ledger: Ledger;
  readonly signer: GatewaySigner;
  readonly now: () => number;
  readonly logger: Logger;
  readonly publicKeyPem: string;
  publicUrl: string | undefined;
  private currentFaults: Faults = { ...NO_FAULTS };
  private readonly scheduler = new Scheduler();
  private readonly closing = new AbortController();
  private readonly notifier: Notifier;
  private readonly journal: Journal | undefined;

  constructor(private readonly options: GatewayOptions) {
    this.now = options.now;
    this.logger = options.logger;
    this.publicUrl = options.publicUrl;
    this.publicKeyPem = createPublicKey(options.gatewayPrivateKey).export({ type: 'spki', format: 'pem' }).toString();
    const journal = options.booksFile === undefined ? undefined : openJournal(options.booksFile);
    this.journal = journal;
    this.ledger = new Ledger(options.now, (entry) => journal?.append(entry));
    this.signer = new GatewaySigner(options.gatewayPrivateKey, () => this.chance(this.currentFaults.badSignatureRate));
    this.notifier = new Notifier({
      scheduler: this.scheduler,
      timeScale: options.notifyTimeScale,
      faults: () => this.currentFaults,
      chance: (rate) => this.chance(rate),
      random: options.random,
      now: options.now,
      sign: (fields) => this.signer.sign(fields),
      logger: options.logger,
      signal: this.closing.signal,
    });
    if (journal) {
      if (journal.tornTail) this.logger.warn({ booksFile: options.booksFile }, 'dropped a torn last journal line (a crash during a write)');
      this.ledger.restore(journal.books);
      this.resume();
    }
  }

  /** Restarts the work the books say is pending: notifications, auto-pay, refund completion. */
  private resume(): void {
    let notifications = 0;
    const resumeAt = (dueAt: number | undefined, task: () => void) => {
      if (dueAt !== undefined) this.scheduler.after(dueAt - this.now(), task);
    };
    for (const order of this.ledger.allOrders()) {
      if (order.pendingNotification) notifications += 1;
      this.notifier.resume(this.orderJob(order));
      if (order.status === TransStatus.CREATED) resumeAt(order.autoPayAt, () => this.autoPay(order.merchantOrderNo));
    }
    for (const refund of this.ledger.allRefunds()) {
      if (refund.pendingNotification) notifications += 1;
      this.notifier.resume(this.refundJob(refund));
      if (refund.status === TransStatus.PAYING) resumeAt(refund.completesAt, () => this.completeRefund(refund.refundNo));
    }
    const books = { orders: this.ledger.allOrders().length, refunds: this.ledger.allRefunds().length, pendingNotifications: notifications };
    this.logger.info({ booksFile: this.options.booksFile, ...books }, 'sandbox books restored');
  }

  get faults(): Faults {
    return { ...this.currentFaults };
  }

  updateFaults(update: FaultsUpdate): Faults {
    this.currentFaults = { ...this.currentFaults, ...update };
    return this.faults;
  }

  /** Draws from the injected random source; a zero rate draws nothing, keeping seeded runs stable. */
  chance(rate: number): boolean {
    return rate > 0 && this.options.random() < rate;
  }

  merchant(appId: string, merchantNo: string): SandboxMerchant | undefined {
    return this.options.merchants.find((m) => m.appId === appId && m.merchantNo === merchantNo);
  }

  merchantName(ref: MerchantRef): string {
    return this.merchant(ref.appId, ref.merchantNo)?.name ?? ref.merchantNo;
  }

  payUrl(order: SandboxOrder): string {
    if (!this.publicUrl) throw new Error('sandbox public URL is not known yet');
    return `${this.publicUrl.replace(/\/+$/, '')}/cashier/${order.cashierToken}`;
  }

  createOrder(merchant: MerchantRef, request: NewOrder): SandboxOrder {
    const { order, created } = this.ledger.createOrder(merchant, request);
    // Expiry needs no timer: the ledger closes an order whose time is up whenever it is read.
    const autoPayAfterMs = this.currentFaults.autoPayAfterMs;
    if (created && autoPayAfterMs > 0) {
      order.autoPayAt = this.now() + autoPayAfterMs;
      this.ledger.saveOrder(order);
      this.scheduler.after(autoPayAfterMs, () => this.autoPay(order.merchantOrderNo));
    }
    return order;
  }

  cancelOrder(merchant: MerchantRef, lookup: OrderLookup): SandboxOrder {
    return this.ledger.cancelOrder(merchant, lookup);
  }

  submitRefund(merchant: MerchantRef, request: NewRefund): SandboxRefund {
    const { refund, created } = this.ledger.submitRefund(merchant, request);
    if (created) {
      const delayMs = this.currentFaults.refundDelayMs;
      refund.completesAt = this.now() + delayMs;
      this.ledger.saveRefund(refund);
      this.scheduler.after(delayMs, () => this.completeRefund(refund.refundNo));
    }
    return refund;
  }

  /**
   * A refund made in CodePay's merchant portal: under a refund number of the gateway's own, completed
   * and notified to the order's `notify_url` like any refund (delay, retries and faults included).
   */
  portalRefund(merchantOrderNo: string, amountMinor: number): SandboxRefund {
    const order = this.ledger.findOrder(undefined, { merchantOrderNo });
    if (!order) throw new GatewayRejection(GatewayCode.ORDER_NOT_FOUND, 'Merchant order number is invalid');
    if (amountMinor <= 0) throw new GatewayRejection(GatewayCode.INVALID_PARAMETER, 'Invalid parameter: the refund amount must be above zero');
    const refundNo = this.ledger.portalRefundNo(order);
    this.logger.info({ merchantOrderNo, refundNo, amountMinor }, 'portal refund');
    return this.submitRefund(order, { refundNo, orig: { merchantOrderNo }, currency: order.currency, amountMinor, description: 'merchant portal refund', notifyUrl: order.notifyUrl });
  }

  pay(merchantOrderNo: string, payMethodId?: string): SandboxOrder {
    const order = this.ledger.pay(merchantOrderNo, payMethodId);
    this.logger.info({ merchantOrderNo }, 'order paid');
    this.notifyOrder(order);
    return order;
  }

  decline(merchantOrderNo: string): SandboxOrder {
    const order = this.ledger.decline(merchantOrderNo);
    this.logger.info({ merchantOrderNo }, 'payment declined');
    this.notifyOrder(order);
    return order;
  }

  /** Runs after the scheduler's delay or not at all (close cancels). */
  later(delayMs: number): Promise<void> {
    return this.scheduler.sleep(delayMs);
  }

  close(): void {
    this.scheduler.cancelAll();
    this.closing.abort();
    this.journal?.close();
  }

  private autoPay(merchantOrderNo: string): void {
    const order = this.ledger.findOrder(undefined, { merchantOrderNo });
    if (order?.status === TransStatus.CREATED) this.pay(merchantOrderNo);
  }

  private completeRefund(refundNo: string): void {
    const refund = this.ledger.completeRefund(refundNo);
    if (!refund) return;
    this.logger.info({ refundNo }, 'refund completed');
    this.notifier.send(refund.notifyUrl, this.notificationFields(refund, refundWireFields(refund)), this.refundJob(refund));
  }

  private notifyOrder(order: SandboxOrder): void {
    this.notifier.send(order.notifyUrl, this.notificationFields(order, orderWireFields(order)), this.orderJob(order));
  }

  private orderJob(order: SandboxOrder): NotificationJob {
    return { owner: order, label: `order ${order.merchantOrderNo}`, save: () => this.ledger.saveOrder(order) };
  }

  private refundJob(refund: SandboxRefund): NotificationJob {
    return { owner: refund, label: `refund ${refund.refundNo}`, save: () => this.ledger.saveRefund(refund) };
  }

  private notificationFields(ref: MerchantRef, fields: WireFields) {
    return { ...fields, app_id: ref.appId, merchant_no: ref.merchantNo, sign_type: 'RSA2' };
  }
}
