import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Config } from '../config';
import {
  getPaymentQuery,
  paymentWorkflowId,
  refundWorkflowId,
  type PaymentInput,
  type PaymentRequest,
  type PaymentView,
  type RefundRequest,
  type RefundView,
  type ReviewRequest,
} from '../workflows/messages';
// Type only, and started by name: the API process never loads workflow code.
import type { paymentWorkflow } from '../workflows';
import { payloadMismatch } from './payment-request-match';
import { paymentStaticDetails, paymentStaticSummary } from '../workflows/payment-summary';
import { paymentStartSearchAttributes } from '../workflows/search-attributes';
import { toMinorUnits } from '../codepay/money';
import { amountIssue } from './payments-schemas';
import { awaitOrderCreated, cancelPayment, requestRefund, reviewPayment } from './payment-command-channel';
import { problemFromRefusal, ProblemError } from './problem';
import { createStartAdmission, StartAbandoned, StartRefused, type StartAdmission } from './start-admission';
import { DEFAULT_START_ADMISSION } from '../start-admission-limits';
import { isClosedWorkflow, isTemporalUnavailable, temporalInvalidArgument, withDeadline, withinBudget } from './temporal-failures';
import { readWorkflowState } from './workflow-reads';

/**
 * How long the API waits on Temporal before answering 503 with Retry-After. A frozen Temporal must
 * not outlast the merchant's or CodePay's own timeout; a create whose outcome is unknown is safe to
 * retry (a repeated start finds the payment the first one made, never a second one).
 */
export interface TemporalTimeouts {
  /** All Temporal calls of one merchant API or demo request together (starts, signals, queries, describes). */
  requestMs: number;
  /** Webhook signals: CodePay gives up on a delivery after 5 s. */
  signalMs: number;
  /** Readiness probe. */
  readinessMs: number;
}

export const DEFAULT_TIMEOUTS: TemporalTimeouts = { requestMs: 3_500, signalMs: 3_000, readinessMs: 1_000 };

export interface StartOutcome {
  /** True when this request started the workflow (→ 201), false when it already existed (→ 200). */
  created: boolean;
  /** The payment as it is now: its order created at CodePay, or its creation failed. */
  payment: PaymentView;
}

export interface RefundOutcome {
  created: boolean;
  refund: RefundView;
}

/**
 * The merchant API's commands against the payment workflows. Workflow refusals become problems
 * (problem.ts), an unreachable Temporal becomes `temporal-unavailable`; anything else propagates.
 */
export class PaymentCommands {
  constructor(
    private readonly client: Client,
    private readonly config: Pick<Config, 'temporal' | 'publicBaseUrl' | 'payments'>,
    private readonly timeouts: TemporalTimeouts = DEFAULT_TIMEOUTS,
    /** Starts in flight at Temporal, and those queued for a slot (start-admission.ts). */
    readonly admission: StartAdmission = createStartAdmission(DEFAULT_START_ADMISSION),
  ) {}

  /**
   * A start waits for its admission before anything reaches Temporal: refused (queue full, or the
   * wait would be too long) it is `overloaded` at once, nothing started; its client gone while it
   * waited, it is never sent. Admitted, its Temporal calls get the whole request budget from then.
   */
  async start(request: PaymentRequest, signal?: AbortSignal): Promise<StartOutcome> {
    let release: () => void;
    try {
      release = await this.admission.enter(signal);
    } catch (err) {
      // Nothing reached Temporal: the problem says so, the same request may simply be sent again.
      if (err instanceof StartRefused) throw new ProblemError('overloaded', err.message, { outcome: 'not-started' }, err.retryAfterSeconds);
      if (err instanceof StartAbandoned) throw new ProblemError('overloaded', err.message, { outcome: 'not-started' });
      throw err;
    }
    try {
      return await withinBudget(this.timeouts.requestMs, () => this.admittedStart(request));
    } finally {
      release();
    }
  }

  /**
   * Starts `payment-<no>` and reads the payment back once its order exists at CodePay (or its
   * creation failed). No update carries the answer (payment-command-channel.ts says why).
   *
   * Only the request whose start made the workflow answers 201. Any other finds the payment there,
   * running or closed (REJECT_DUPLICATE: one order number pays at most once): it is checked against
   * the request the payment was started with (any difference → 409) and answers 200 with the
   * payment's status now. Concurrent identical requests therefore get one payment, one 201.
   */
  private async admittedStart(request: PaymentRequest): Promise<StartOutcome> {
    const { merchantOrderNo } = request;
    const ifTaken = `payment ${merchantOrderNo} may have been started; retry with the same request (same merchantOrderNo and body): it gets that payment's answer, never a second payment`;
    let created = true;
    try {
      await withDeadline(this.client, this.timeouts.requestMs, () =>
        this.client.workflow.start<typeof paymentWorkflow>('paymentWorkflow', {
          workflowId: paymentWorkflowId(merchantOrderNo),
          taskQueue: this.config.temporal.taskQueue,
          args: [this.paymentInput(request)],
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          staticSummary: paymentStaticSummary(request),
          staticDetails: paymentStaticDetails(request),
          typedSearchAttributes: paymentStartSearchAttributes(request, new Date()),
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw translateWrite(err, ifTaken);
      created = false;
    }
    if (!created) await this.checkSameRequest(request);
    const handle = this.client.workflow.getHandle(paymentWorkflowId(merchantOrderNo));
    try {
      const payment = await readWorkflowState<PaymentView>(this.client, handle, this.timeouts.requestMs, () => awaitOrderCreated(handle), { resultIsState: true });
      return { created, payment };
    } catch (err) {
      throw translateWrite(err, ifTaken);
    }
  }

  /** A completed payment from its result (no worker needed), an open one by query (workflow-reads.ts). */
  async get(merchantOrderNo: string): Promise<PaymentView> {
    const handle = this.client.workflow.getHandle<typeof paymentWorkflow>(paymentWorkflowId(merchantOrderNo));
    try {
      return await readWorkflowState(this.client, handle, this.timeouts.requestMs, () => handle.query(getPaymentQuery), { resultIsState: true });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new ProblemError('payment-not-found', `no payment ${merchantOrderNo}`);
      throw translate(err);
    }
  }

  /** `operator` is set when an operator asked (the console); the payment's log names them. */
  async cancel(merchantOrderNo: string, operator?: string): Promise<PaymentView> {
    try {
      return await this.command(
        merchantOrderNo,
        (handle) => cancelPayment(handle, operator),
        `the cancel of payment ${merchantOrderNo} may have been taken and may still complete; retry it (a cancelled payment answers 200), or read the payment first`,
      );
    } catch (err) {
      // Idempotent after the workflow completed too: a retried cancel gets the cancelled payment.
      if (err instanceof ProblemError && err.kind === 'invalid-state') {
        const view = await this.get(merchantOrderNo);
        if (view.status === 'CANCELLED') return view;
      }
      throw err;
    }
  }

  /**
   * Asks the workflow to admit a refund. New or existing is read from `payment`, the view the
   * caller read just before (the workflow answers a repeated refund number with the existing
   * refund): two identical requests racing may both see 201, never two refunds.
   *
   * A new refund number is checked first (409, no slot used): CodePay's refund numbers share one
   * space with order numbers, so it must be neither a payment's number nor another payment's
   * refund. Two payments racing for one number both pass here; the refund child's workflow id
   * decides, and the loser's workflow answers 409 and releases its reservation.
   */
  async refund(payment: PaymentView, request: RefundRequest): Promise<RefundOutcome> {
    const existed = payment.refunds.some((r) => r.refundNo === request.refundNo);
    if (!existed) {
      const taken = await this.refundNoTaken(payment.merchantOrderNo, request.refundNo);
      if (taken) throw new ProblemError('refund-no-conflict', taken);
    }
    const refund = await this.command(
      payment.merchantOrderNo,
      (handle) => requestRefund(handle, request),
      `refund ${request.refundNo} may have been taken and may still be paid out; retry with the same refundNo ${request.refundNo}, never a new number (a repeated number gets its one refund); GET /v1/payments/${payment.merchantOrderNo}/refunds/${request.refundNo} shows it once taken, a 404 before then does not mean it will not be made`,
    );
    return { created: !existed, refund };
  }

  /**
   * A refund as the merchant API and the console take it: a decimal amount, checked against the
   * payment's currency, then `refund`. `operator` is set when an operator asked (the console).
   */
  async refundAmount(merchantOrderNo: string, request: { refundNo: string; amount: string; reason?: string; operator?: string }): Promise<RefundOutcome & { currency: string }> {
    const payment = await this.get(merchantOrderNo);
    const issue = amountIssue(request.amount, payment.currency);
    if (issue) throw new ProblemError('validation', `amount: ${issue}`, { errors: [{ field: 'amount', message: issue }] });
    const { refundNo, reason, operator } = request;
    const outcome = await this.refund(payment, { refundNo, amountMinor: toMinorUnits(request.amount, payment.currency), reason, ...(operator ? { operator } : {}) });
    return { ...outcome, currency: payment.currency };
  }

  /**
   * An operator's decision on a NEEDS_REVIEW payment; the workflow re-queries CodePay and applies
   * it. A retried decision whose first answer was lost gets the reviewed payment back.
   */
  async review(merchantOrderNo: string, request: ReviewRequest): Promise<PaymentView> {
    try {
      return await this.command(
        merchantOrderNo,
        (handle) => reviewPayment(handle, request),
        `the decision on payment ${merchantOrderNo} may have been taken; retry the same decision with the same reason (a recorded one answers 200), or read the payment first`,
      );
    } catch (err) {
      if (err instanceof ProblemError && err.kind === 'invalid-state') {
        const view = await this.get(merchantOrderNo);
        const done = view.review?.resolution;
        if (done && done.operator === request.operator && done.decision === request.decision && done.reason === request.reason) return view;
      }
      throw err;
    }
  }

  /** Why `refundNo` cannot be a new refund of payment `merchantOrderNo`, if it cannot. */
  private async refundNoTaken(merchantOrderNo: string, refundNo: string): Promise<string | undefined> {
    if (refundNo === merchantOrderNo) return `refund number ${refundNo} is the payment's own number`;
    const [payment, refund] = await Promise.all([this.describeIfAny(paymentWorkflowId(refundNo)), this.describeIfAny(refundWorkflowId(refundNo))]);
    if (payment) return `refund number ${refundNo} is the number of a payment`;
    // This payment's own refund (a concurrent identical request reserved it): the workflow answers.
    if (refund && refund.parentExecution?.workflowId !== paymentWorkflowId(merchantOrderNo)) return `refund number ${refundNo} is used by another payment's refund`;
    return undefined;
  }

  private async describeIfAny(workflowId: string) {
    try {
      return await withDeadline(this.client, this.timeouts.requestMs, () => this.client.workflow.getHandle(workflowId).describe());
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw translate(err);
    }
  }

  private paymentInput(request: PaymentRequest): PaymentInput {
    return {
      ...request,
      notifyUrl: `${this.config.publicBaseUrl.replace(/\/+$/, '')}/webhooks/codepay`,
      pollScheduleMs: this.config.payments.pollScheduleMs,
      refundWindowMs: this.config.payments.refundWindowMs,
    };
  }

  /** `ifTaken`: how to retry safely when the command was sent but its answer not read in time. */
  private async command<T>(
    merchantOrderNo: string,
    call: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<T>,
    ifTaken: string,
  ): Promise<T> {
    const handle = this.client.workflow.getHandle(paymentWorkflowId(merchantOrderNo));
    try {
      return await withDeadline(this.client, this.timeouts.requestMs, () => call(handle));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        const closed = await withDeadline(this.client, this.timeouts.requestMs, () => isClosedWorkflow(handle)).catch((e) => {
          throw translate(e);
        });
        if (closed) throw new ProblemError('invalid-state', `payment ${merchantOrderNo} is closed`);
        throw new ProblemError('payment-not-found', `no payment ${merchantOrderNo}`);
      }
      throw translateWrite(err, ifTaken);
    }
  }

  /** A repeated start must be the request the payment was started with: any difference is a 409. */
  private async checkSameRequest(request: PaymentRequest): Promise<void> {
    const original = await withDeadline(this.client, this.timeouts.requestMs, () => this.startedWith(request.merchantOrderNo)).catch((err: unknown) => {
      throw translate(err);
    });
    const mismatch = payloadMismatch(original, request);
    if (mismatch) throw new ProblemError('payload-mismatch', mismatch);
  }

  /**
   * The request a payment's workflow was started with: the input of its latest run's first event
   * (a continued run carries the whole input along). One event is read, however long the history.
   */
  private async startedWith(merchantOrderNo: string): Promise<PaymentRequest> {
    const { history } = await this.client.workflowService.getWorkflowExecutionHistory({
      namespace: this.client.options.namespace,
      execution: { workflowId: paymentWorkflowId(merchantOrderNo) },
      maximumPageSize: 1,
    });
    const payload = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!payload) throw new Error(`payment ${merchantOrderNo}: its workflow's start event has no input`);
    return defaultPayloadConverter.fromPayload<PaymentInput>(payload);
  }
}

/** A Temporal failure as the problem the merchant sees, where there is one. */
export function translate(err: unknown): unknown {
  const problem = problemFromRefusal(err);
  if (problem) return problem;
  if (isTemporalUnavailable(err)) return new ProblemError('temporal-unavailable');
  // Validation lets nothing through that Temporal refuses; should something slip by, it is still the request's fault.
  const invalid = temporalInvalidArgument(err);
  if (invalid !== undefined) return new ProblemError('validation', `Temporal refused the request as invalid: ${invalid.slice(0, 200)}`);
  return err;
}

/**
 * A write's Temporal failure. Unreachable or too slow once the write was sent, Temporal may have
 * accepted it, and a worker then applies it later: the 503 says `outcome: unknown` and how to retry
 * without doing it twice (`retry`), never a bare "retry later".
 */
export function translateWrite(err: unknown, retry: string): unknown {
  const translated = translate(err);
  if (!(translated instanceof ProblemError) || translated.kind !== 'temporal-unavailable' || translated.extra.outcome) return translated;
  return new ProblemError('temporal-unavailable', `The payment engine did not answer in time: ${retry}.`, { outcome: 'unknown' });
}
