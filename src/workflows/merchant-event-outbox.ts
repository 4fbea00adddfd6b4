/**
 * The payment workflow's side of merchant webhooks: after each committed step it asks the pure
 * rule (merchant-events) which events the step emits, numbers them, keeps their stamps (the
 * payment's answer to `getMerchantEventStamps`), and hands them to the delivery workflow with one
 * local activity (the first batch starts `webhooks-<no>`, later ones signal-with-start it): one
 * marker event per batch, and no waiting on the merchant's endpoint. A local activity, unlike the
 * payment's CodePay calls (codepay-calls.ts): its marker is recorded when it resolves, after any
 * update accepted in the same task, where an activity's schedule would come before it in a task
 * that also applies a child's or an activity's result, and the SDK replays that order differently
 * (chaos seed 97). Batches go one at a time, so they reach the delivery workflow in order; a
 * hand-over from a task that is then lost reaches it all the same, and the delivery sends only what
 * the stamps, read from the recorded history, name (docs/webhooks.md, "One id, one event").
 */
import { log, proxyLocalActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhook-activities';
import { merchantEventStamp, merchantEventsBetween } from './merchant-events';
import type { MerchantEvent, MerchantEventStamp } from './messages';
import type { PaymentState } from './payment-state';

/** Retried until Temporal takes the signal: an event is never dropped. */
const { emitMerchantEvents } = proxyLocalActivities<WebhookActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

export interface MerchantEventOutbox {
  /** Every event emitted so far, carried across continue-as-new. */
  readonly stamps: readonly MerchantEventStamp[];
  /** After a committed step: queue and send what it emits. */
  add(before: PaymentState, after: PaymentState, now: string): void;
  /** Nothing queued or in flight: safe to complete or continue-as-new. */
  idle(): boolean;
}

export function merchantEventOutbox(carried: readonly MerchantEventStamp[] = []): MerchantEventOutbox {
  const stamps = [...carried];
  let sending = false;
  const queue: MerchantEvent[] = [];
  /** No batch handed over yet: the first one starts the delivery workflow. */
  let opening = carried.length === 0;

  async function send(): Promise<void> {
    sending = true;
    try {
      while (queue.length > 0) {
        await emitMerchantEvents(queue.splice(0), opening);
        opening = false;
      }
    } finally {
      sending = false;
    }
  }

  return {
    stamps,
    add(before, after, now) {
      if (before === after) return;
      const events = merchantEventsBetween(before, after, (stamps.at(-1)?.seq ?? 0) + 1, now);
      if (events.length === 0) return;
      stamps.push(...events.map(merchantEventStamp));
      queue.push(...events);
      // Only a cancelled payment workflow ends the local activity's retries.
      if (!sending) void send().catch((error: unknown) => log.warn('merchant events not handed over', { error: String(error) }));
    },
    idle: () => queue.length === 0 && !sending,
  };
}
