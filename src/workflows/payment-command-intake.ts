/**
 * Takes the payment's commands (a cancel, a refund, an operator's review), which arrive as signals
 * (`paymentCommand`, messages.ts): refused at once when the payment's state rules the command out,
 * as an update's validator would, else run as its conversation with CodePay
 * (payment-conversations), and its answer recorded for the caller to read back
 * (`getCommandOutcome`). A command id seen before is not run again.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { outcomeOf, recordOutcome, type CommandOutcomes } from './command-outcomes';
import { PaymentErrorType, type CommandOutcome, type PaymentCommand, type PaymentErrorTypeName } from './messages';
import { reviewRejection } from './operator-review';
import type { PaymentConversations } from './payment-conversations';
import type { PaymentRun } from './payment-run';
import { admitRefund, cancelRejection, type Rejection } from './refund-admission';

export type PaymentCommandIntake = ReturnType<typeof paymentCommandIntake>;

export function paymentCommandIntake(run: PaymentRun, talk: PaymentConversations, carried: CommandOutcomes = []) {
  let outcomes = carried;
  const inProgress = new Set<string>();

  /** What the state rules out before any conversation (each conversation decides again when its turn comes). */
  function rejectionAtReceipt(command: PaymentCommand): Rejection | undefined {
    switch (command.kind) {
      case 'cancel':
        return cancelRejection(run.state);
      case 'refund': {
        const admission = admitRefund(run.state, command.request);
        return admission.kind === 'rejected' ? { type: admission.type, message: admission.message } : undefined;
      }
      case 'review':
        return reviewRejection(run.state);
    }
  }

  async function conversation(command: PaymentCommand): Promise<CommandOutcome> {
    switch (command.kind) {
      case 'cancel':
        return { kind: 'cancel', payment: await talk.cancel(command.operator) };
      case 'refund':
        return { kind: 'refund', refund: await talk.refund(command.request) };
      case 'review':
        return { kind: 'review', payment: await talk.review(command.request) };
    }
  }

  async function take(command: PaymentCommand): Promise<void> {
    const { commandId } = command;
    if (inProgress.has(commandId) || outcomeOf(outcomes, commandId)) return;
    inProgress.add(commandId);
    try {
      const rejection = rejectionAtReceipt(command);
      const outcome: CommandOutcome = rejection ? { kind: 'rejected', rejection } : await conversation(command).catch(asRejection);
      outcomes = recordOutcome(outcomes, commandId, outcome);
    } finally {
      inProgress.delete(commandId);
    }
  }

  return {
    take,
    outcome: (commandId: string) => outcomeOf(outcomes, commandId),
    /** What a continue-as-new carries, so an answer given just before it can still be read. */
    outcomes: () => outcomes,
  };
}

const PAYMENT_ERROR_TYPES: ReadonlySet<string> = new Set(Object.values(PaymentErrorType));

/**
 * A conversation's refusal (`fail` in payment-conversations) as the command's answer. Anything
 * else is a bug: thrown as a plain Error it fails the workflow task (retried, alerted), where an
 * ApplicationFailure thrown from a signal handler would fail the whole payment.
 */
function asRejection(error: unknown): CommandOutcome {
  if (error instanceof ApplicationFailure && error.type && PAYMENT_ERROR_TYPES.has(error.type)) {
    return { kind: 'rejected', rejection: { type: error.type as PaymentErrorTypeName, message: error.message } };
  }
  throw new Error(`payment command failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
}
