/**
 * The payment workflow's one piece of mutable state and what follows every committed step: the
 * log line, the search attributes that changed, the Web UI's current details and the merchant
 * events the step emits. The workflow's steps read `state` and `commit` outcomes of the pure
 * modules; nothing else assigns the state.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { log, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CommandOutcomes } from './command-outcomes';
import { traceEvents } from './event-log';
import { merchantEventOutbox, type MerchantEventOutbox } from './merchant-event-outbox';
import type { MerchantEventStamp, PaymentInput } from './messages';
import { initialPaymentState, record, type Outcome, type PaymentState } from './payment-state';
import { paymentCurrentDetails } from './payment-summary';
import { publishedAtStart, searchAttributeUpdates } from './search-attributes';

/** What a continue-as-new hands to the next run. */
export interface CarriedPayment {
  state: PaymentState;
  polls: number;
  /** Merchant webhook events emitted so far. */
  merchantEvents?: MerchantEventStamp[];
  /** The latest command answers, still to be read back by their callers. */
  commandOutcomes?: CommandOutcomes;
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

/**
 * The trace of the message being handled (HandleSignal/HandleUpdate spans) or of the run (RunWorkflow:
 * the start's), as the tracing interceptors of the traced bundle set it; undefined without them.
 * Read from Temporal headers in the history, so a replay names the same trace.
 */
function activeTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? context.traceId : undefined;
}

/** The outcome with its events naming the active trace. */
function traced({ state, events }: Outcome): Outcome {
  const named = traceEvents(state.log, events, activeTraceId());
  return { state: named.log === state.log ? state : { ...state, log: named.log }, events: named.events };
}

export function startPaymentRun(input: PaymentInput, carried: CarriedPayment | undefined): PaymentRun {
  const now = () => new Date().toISOString();
  const initial = () => {
    const created = initialPaymentState(input, now());
    return traced({ state: created, events: created.log.recent }).state;
  };
  let state = carried?.state ?? initial();
  let published = publishedAtStart(workflowInfo().typedSearchAttributes);
  const merchantEvents = merchantEventOutbox(carried?.merchantEvents);

  const publish = () => {
    const next = searchAttributeUpdates(published, state);
    if (next.updates.length > 0) upsertSearchAttributes(next.updates);
    published = next.published;
    setCurrentDetails(paymentCurrentDetails(state));
  };
  const commit = (outcome: Outcome) => {
    const { state: next, events } = traced(outcome);
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
