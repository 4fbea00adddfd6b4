/**
 * How a caller (the API, the console, the tests) has the payment workflow run a command and waits
 * for its answer: the command goes as a signal with an id of its own, and the answer is read back
 * by query until the workflow has recorded it (docs/design.md §2.5). A signal, not an update,
 * because an update's acceptance is a command the SDK can replay out of place after a timed-out
 * workflow task (docs/design.md §2.9); a signal is an event in the history, read where it was.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { getCommandOutcomeQuery, getPaymentQuery, paymentCommandSignal, type CommandOutcome, type CommandRejection, type PaymentCommand, type PaymentView, type RefundRequest, type RefundView, type ReviewRequest } from '../workflows/messages';

/** The workflow refused the command; `type` is a PaymentErrorType (problem.ts maps it to a status). */
export class PaymentCommandRejected extends Error {
  readonly type: string;
  constructor(readonly rejection: CommandRejection) {
    super(rejection.message);
    this.name = 'PaymentCommandRejected';
    this.type = rejection.type;
  }
}

/** How long a caller without a deadline of its own waits for an answer (tests, scripts). */
const DEFAULT_MAX_WAIT_MS = 60_000;

type Answer = Exclude<CommandOutcome, { kind: 'rejected' }>;

/** Waits between reads of the answer: quick at first (most answers take one workflow task), then every 100 ms. */
const READ_BACK_DELAYS_MS = [10, 20, 40, 80, 100];

/**
 * Reads until `done`. A caller's deadline (`withDeadline`) ends the wait with a deadline error, as
 * for any Temporal call; `maxWaitMs` bounds callers without one.
 */
async function readBack<T>(read: () => Promise<T>, done: (value: T) => boolean, maxWaitMs: number, what: () => string): Promise<T> {
  const giveUpAt = Date.now() + maxWaitMs;
  for (let reads = 0; ; reads += 1) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() >= giveUpAt) throw new Error(`${what()}: not there after ${maxWaitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, READ_BACK_DELAYS_MS[Math.min(reads, READ_BACK_DELAYS_MS.length - 1)]));
  }
}

async function runCommand(handle: WorkflowHandle, command: PaymentCommand, maxWaitMs: number): Promise<Answer> {
  await handle.signal(paymentCommandSignal, command);
  const what = () => `payment ${handle.workflowId}: the answer to ${command.kind} ${command.commandId} (recorded, it will run)`;
  const outcome = await readBack(() => handle.query(getCommandOutcomeQuery, command.commandId), (o) => o !== null, maxWaitMs, what);
  if (outcome?.kind === 'rejected') throw new PaymentCommandRejected(outcome.rejection);
  if (!outcome) throw new Error(what());
  return outcome;
}

/**
 * The payment once its order exists at CodePay, or its creation failed: what a start answers. A
 * query before the workflow's first task waits for that task at the server.
 */
export function awaitOrderCreated(handle: WorkflowHandle, maxWaitMs = DEFAULT_MAX_WAIT_MS): Promise<PaymentView> {
  return readBack(() => handle.query(getPaymentQuery), (view) => view.status !== 'CREATING', maxWaitMs, () => `payment ${handle.workflowId}: its order's creation`);
}

export interface CommandOptions {
  /** The command's id; a new one per request unless given (a test sending one twice). */
  commandId?: string;
  maxWaitMs?: number;
}


function commandId(options: CommandOptions): string {
  return options.commandId ?? randomUUID();
}

export async function cancelPayment(handle: WorkflowHandle, operator?: string, options: CommandOptions = {}): Promise<PaymentView> {
  return paymentOf(await runCommand(handle, { commandId: commandId(options), kind: 'cancel', ...(operator ? { operator } : {}) }, options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS));
}

export async function reviewPayment(handle: WorkflowHandle, request: ReviewRequest, options: CommandOptions = {}): Promise<PaymentView> {
  return paymentOf(await runCommand(handle, { commandId: commandId(options), kind: 'review', request }, options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS));
}

export async function requestRefund(handle: WorkflowHandle, request: RefundRequest, options: CommandOptions = {}): Promise<RefundView> {
  const outcome = await runCommand(handle, { commandId: commandId(options), kind: 'refund', request }, options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
  if (outcome.kind !== 'refund') throw new Error(`payment ${handle.workflowId} answered a refund with a ${outcome.kind}`);
  return outcome.refund;
}

function paymentOf(outcome: Answer): PaymentView {
  if (outcome.kind === 'refund') throw new Error('a cancel or review was answered with a refund');
  return outcome.payment;
}
