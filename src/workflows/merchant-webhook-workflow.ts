/**
 * `webhooks-<merchantOrderNo>`: delivers one payment's merchant webhook events, in order, beside
 * the payment (docs/webhooks.md). The payment only signals new events in (see merchant-event-outbox);
 * a slow, failing or dead endpoint costs this workflow's history, never the payment's. Every rule
 * is in webhook-delivery-state; this file wires signals, the attempt activity, the retry timers
 * and continue-as-new.
 */
import { context as otelContext, type Context as OtelContext } from '@opentelemetry/api';
import { allHandlersFinished, condition, continueAsNew, proxyActivities, proxyLocalActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhook-activities';
import { LOCAL_FIRST_ATTEMPT, locallyFirst } from './local-first';
import { getMerchantEventQuery, getWebhookDeliveriesQuery, merchantEventsSignal, redeliverMerchantEventSignal, type MerchantEvent } from './messages';
import {
  deliveryViews,
  emptyDeliveryState,
  enqueue,
  isFinished,
  nextDelivery,
  recordAttempt,
  redeliver,
  waitBeforeAttempt,
  type DeliveryState,
  versions,
  type MerchantWebhookInput,
} from './webhook-delivery-state';

/** One attempt is one POST with a 10 s timeout; the retries are the workflow's own timers, so each shows in the view. */
const { deliverMerchantEvent } = proxyActivities<WebhookActivities>({ startToCloseTimeout: '15s', retry: { maximumAttempts: 1 } });
/** The same POST tried first inside the workflow task (local-first.ts); an endpoint slower than that gets the activity task's attempt. */
const local = proxyLocalActivities<WebhookActivities>(LOCAL_FIRST_ATTEMPT);

const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;
/** A payment that stays PAID sends nothing after its refund window; stop waiting well after it. */
const IDLE_CLOSE_MS = 35 * 24 * 3600 * 1000;

export async function merchantWebhookWorkflow(input: MerchantWebhookInput): Promise<void> {
  const now = () => new Date().toISOString();
  const nowMs = () => new Date().getTime();
  let state: DeliveryState = input.carried ?? enqueue(emptyDeliveryState(), input.events ?? []);
  /** Bumped by a redelivery, to cut a retry wait short. */
  let nudges = 0;
  /** Local first: a delivery is one marker event in the task that got the event. */
  const attempt = (events: MerchantEvent[], options: { summary: string }) => locallyFirst(local.deliverMerchantEvent, deliverMerchantEvent, options, [events]);

  /** When the workflow last got work (workflow clock, ms); the idle close counts from it. */
  let lastWorkMs = nowMs();
  /** One idle timer at a time, left running across events instead of cancelled and armed again for each. */
  let idleTimer: Promise<'idle'> | undefined;
  /** `lastWorkMs` when the idle timer was armed: unchanged when it fires means idle all along. */
  let idleArmedAt = lastWorkMs;

  /**
   * The trace context each event arrived in (tracing interceptors; empty without them): its POSTs
   * join the trace of what emitted it (a notification's, say). In memory only: a continued run's
   * deliveries go on in the run's own trace.
   */
  const origins = new Map<string, OtelContext>();
  setHandler(merchantEventsSignal, (events) => {
    for (const event of events) origins.set(event.id, otelContext.active());
    state = enqueue(state, events);
    lastWorkMs = nowMs();
  });
  setHandler(redeliverMerchantEventSignal, (event) => {
    state = redeliver(state, event);
    nudges += 1;
    lastWorkMs = nowMs();
  });
  setHandler(getWebhookDeliveriesQuery, () => deliveryViews(state));
  setHandler(getMerchantEventQuery, (eventId) => state.records.find((r) => r.event.id === eventId)?.event ?? null);

  const historyLimit = input.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_AFTER_EVENTS;
  for (;;) {
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof merchantWebhookWorkflow>({ ...input, events: undefined, carried: state });
    }
    const due = nextDelivery(state);
    if (!due) {
      if (isFinished(state)) break;
      if (!(await nextEventBeforeIdle())) break;
      continue;
    }
    const wait = waitBeforeAttempt(due, now());
    if (wait > 0) {
      const seen = nudges;
      const nudged = await condition(() => nudges !== seen, wait, { summary: `Retry ${due.event.type} (attempt ${due.attempts + 1})` });
      // A fired retry timer is the signal to attempt: the workflow clock is not read again, because
      // a cached run was seen (chaos, worker SIGTERM / Temporal restart) waking with the clock of the
      // previous task and arming the same wait again, which its replay then could not reproduce.
      if (nudged) continue;
    }
    const result = await otelContext
      .with(origins.get(due.event.id) ?? otelContext.active(), () => attempt(versions(due), { summary: `POST ${due.event.type} (attempt ${due.attempts + 1})` }))
      .catch((error: unknown) => ({ delivered: false, error: error instanceof Error ? error.message : String(error) }));
    state = recordAttempt(state, due.event.id, result, now(), input.retryScheduleMs);
    if (result.delivered) origins.delete(due.event.id);
  }
  await condition(allHandlersFinished);

  /** True when an event is due; false after IDLE_CLOSE_MS without work. */
  async function nextEventBeforeIdle(): Promise<boolean> {
    for (;;) {
      if (!idleTimer) {
        idleArmedAt = lastWorkMs;
        idleTimer = sleep(Math.max(1, lastWorkMs + IDLE_CLOSE_MS - nowMs()), { summary: 'Close when idle' }).then(() => 'idle' as const);
      }
      const woke = await Promise.race([condition(() => nextDelivery(state) !== undefined).then(() => 'event' as const), idleTimer]);
      if (woke === 'event') return true;
      idleTimer = undefined;
      // No work since the timer was armed: idle, decided without reading the clock again (a cached
      // run can wake from a timer with the previous task's clock, as with the retry timer above).
      if (lastWorkMs === idleArmedAt) return false;
    }
  }
}
