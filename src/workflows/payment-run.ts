/**
 * The payment workflow's one piece of mutable state and what follows every committed step: the
 * log line, the search attributes that changed, the Web UI's current details and the merchant
 * events the step emits. The workflow's steps read `state` and `commit` outcomes of the pure
 * modules; nothing else assigns the state.
 */
import { log, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { merchantEventOutbox, type MerchantEventOutbox } from './merchant-event-outbox';
import type { PaymentInput } from './messages';
import { initialPaymentState, record, type Outcome, type PaymentState } from './payment-state';
import { paymentCurrentDetails } from './payment-summary';
import { publishedAtStart, searchAttributeUpdates } from './search-attributes';

/** What a continue-as-new hands to the next run. */
export interface CarriedPayment {
  state: PaymentState;
  polls: number;
  /** Merchant webhook events emitted so far. */
  merchantEventSeq?: number;
}

export interface PaymentRun {
  readonly state: PaymentState;
  readonly merchantEvents: MerchantEventOutbox;
  commit(outcome: Outcome): void;
  /** Logs a failed call in the payment's event log. */
  noteError(message: string): void;
  /** Workflow time, ISO-8601. */
  now(): string;
  nowMs(): number;
}

export function startPaymentRun(input: PaymentInput, carried: CarriedPayment | undefined): PaymentRun {
  const now = () => new Date().toISOString();
  let state = carried?.state ?? initialPaymentState(input, now());
  let published = publishedAtStart(workflowInfo().typedSearchAttributes);
  const merchantEvents = merchantEventOutbox(carried?.merchantEventSeq);

  const publish = () => {
    const next = searchAttributeUpdates(published, state);
    if (next.updates.length > 0) upsertSearchAttributes(next.updates);
    published = next.published;
    setCurrentDetails(paymentCurrentDetails(state));
  };
  const commit = ({ state: next, events }: Outcome) => {
    const before = state;
    state = next;
    for (const event of events) if (event.type === 'transition' || event.type === 'review') log.info(event.message, { merchantOrderNo: state.merchantOrderNo });
    publish();
    merchantEvents.add(before, state, now());
  };
  publish();

  return {
    get state() {
      return state;
    },
    merchantEvents,
    commit,
    noteError: (message) => commit(record(state, [{ at: now(), type: 'error', message }])),
    now,
    nowMs: () => new Date().getTime(),
  };
}
