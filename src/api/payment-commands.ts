import { createHash, randomUUID } from 'node:crypto';
import {
  Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Config } from '../config';
import {
  PAYMENT_STATUSES,
  START_TOKEN_MEMO,
  cancelPaymentUpdate,
  operatorCancelUpdate,
  getPaymentQuery,
  paymentWorkflowId,
  refundWorkflowId,
  requestRefundUpdate,
  reviewPaymentUpdate,
  startPaymentUpdate,
  type PaymentInput,
  type PaymentStatus,
  type PaymentRequest,
  type PaymentView,
  type RefundRequest,
  type RefundView,
  type ReviewRequest,
  type StartPaymentResult,
} from '../workflows/messages';
// Type only, and started by name: the API process never loads workflow code.
import type { paymentWorkflow } from '../workflows';
import { payloadMismatch } from '../workflows/payment-request-match';
import { paymentStaticDetails, paymentStaticSummary } from '../workflows/payment-summary';
import { PaymentStatusKey, paymentStartSearchAttributes } from '../workflows/search-attributes';
import { toMinorUnits } from '../codepay/money';
import { amountIssue } from './payments-schemas';
import { problemFromUpdateFailure, ProblemError } from './problem';
import { createStartAdmission, StartAbandoned, StartRefused, type StartAdmission } from './start-admission';
import { DEFAULT_START_ADMISSION } from '../start-admission-limits';
import { isClosedWorkflow, isTemporalUnavailable, isUnprocessedUpdate, temporalInvalidArgument, withDeadline, withinBudget } from './temporal-failures';
import { readWorkflowState } from './workflow-reads';

/**
 * How long the API waits on Temporal before answering 503 with Retry-After. A frozen Temporal must
 * not outlast the merchant's or CodePay's own timeout; a create whose outcome is unknown is safe to
 * retry (the update id is the payload's, so the retry gets the first answer).
 */
export interface TemporalTimeouts {
  /** All Temporal calls of one merchant API or demo request together (queries, updates, describes). */
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
  /** What `startPayment` answered (a repeated update id gets the first answer again). */
  result: StartPaymentResult;
  /** The payment's status now, which a repeated request may find moved on since `result`. */
  status: PaymentStatus;
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
   * Update-with-Start: starts `payment-<no>` unless it runs, then asks it for the cashier URL.
   *
   * The update id carries a hash of the request: Temporal answers a repeated update id with the
   * first outcome, so a *different* payload must not share it, or it would get the first payment's
   * 200 instead of the validator's 409.
   *
   * New or existing: the SDK (1.24) drops the start response's `started` flag, so each request puts
   * a random token into the start's memo, and the workflow's answer names the token it was started
   * with (`startedBy`): the request that created the payment learns it from its own answer, in one
   * round trip. Unlike "describe first, then start" this holds under concurrent identical requests,
   * which share one update id and so one answer, naming the one request whose start won.
   *
   * A closed workflow is never started again (REJECT_DUPLICATE: one order number pays at most once).
   * The same request again is answered by Temporal from the closed run's update record; a request
   * Temporal has no record of reads the payment's final state, or is a mismatch. Either way the
   * status answered is the current one, not the one of the first answer.
   */
  private async admittedStart(request: PaymentRequest): Promise<StartOutcome> {
    const startToken = randomUUID();
    const operation = new WithStartWorkflowOperation<typeof paymentWorkflow>('paymentWorkflow', {
      workflowId: paymentWorkflowId(request.merchantOrderNo),
      taskQueue: this.config.temporal.taskQueue,
      args: [this.paymentInput(request)],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      memo: { [START_TOKEN_MEMO]: startToken },
      staticSummary: paymentStaticSummary(request),
      staticDetails: paymentStaticDetails(request),
      typedSearchAttributes: paymentStartSearchAttributes(request, new Date()),
    });
    try {
      const result = await withDeadline(this.client, this.timeouts.requestMs, () =>
        this.client.workflow.executeUpdateWithStart(startPaymentUpdate, {
          args: [request],
          updateId: `start-${request.merchantOrderNo}-${payloadHash(request)}`,
          startWorkflowOperation: operation,
        }),
      );
      // The workflow names the request that started it: this one's answer is the current status.
      if (result.startedBy === startToken) return { created: true, result, status: result.status };
      return { ...(await this.existingStart(operation, startToken, result)), result };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return this.closedStart(request);
      throw translateWrite(err, `payment ${request.merchantOrderNo} may have been started; retry with the same request (same merchantOrderNo and body): it gets that payment's answer, never a second payment`);
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
      return await this.update(
        merchantOrderNo,
        (handle) => (operator ? handle.executeUpdate(operatorCancelUpdate, { args: [{ operator }] }) : handle.executeUpdate(cancelPaymentUpdate)),
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
    const refund = await this.update(
      payment.merchantOrderNo,
      (handle) => handle.executeUpdate(requestRefundUpdate, { args: [request] }),
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
      return await this.update(
        merchantOrderNo,
        (handle) => handle.executeUpdate(reviewPaymentUpdate, { args: [request] }),
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

  /** `ifTaken`: how to retry safely when the update was sent but not answered in time. */
  private async update<T>(
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

  /**
   * A repeated request (or one answered by a run that predates `startedBy`): whether it created the
   * payment, and the status now, which may have moved on since the first answer.
   */
  private async existingStart(operation: WithStartWorkflowOperation<typeof paymentWorkflow>, startToken: string, result: StartPaymentResult): Promise<Omit<StartOutcome, 'result'>> {
    const handle = await operation.workflowHandle();
    const { memo, typedSearchAttributes } = await withDeadline(this.client, this.timeouts.requestMs, () => handle.describe());
    // Every transition upserts PaymentStatus, and describe reads it from the execution's own state.
    const current = typedSearchAttributes.get(PaymentStatusKey);
    return { created: memo?.[START_TOKEN_MEMO] === startToken, status: PAYMENT_STATUSES.find((s) => s === current) ?? result.status };
  }

  private async closedStart(request: PaymentRequest): Promise<StartOutcome> {
    const view = await this.get(request.merchantOrderNo);
    const original = await withDeadline(this.client, this.timeouts.requestMs, () => this.startedWith(request.merchantOrderNo)).catch((err: unknown) => {
      throw translate(err);
    });
    const mismatch = payloadMismatch(original, request);
    if (mismatch) throw new ProblemError('payload-mismatch', mismatch.message);
    const { merchantOrderNo, status, cashierUrl, expiresAt, error } = view;
    return { created: false, result: { merchantOrderNo, status, cashierUrl, expiresAt, error }, status };
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
  if (isUnprocessedUpdate(err)) {
    return new ProblemError('temporal-unavailable', 'A worker restarted before it took the request: nothing was applied; send the same request again.', { outcome: 'not-started' });
  }
  const problem = problemFromUpdateFailure(err);
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

export function payloadHash(request: PaymentRequest): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex').slice(0, 16);
}
