/**
 * The payment workflow's side of merchant webhooks: after each committed step it asks the pure
 * rule (merchant-events) which events the step emits, numbers them, and hands them to the
 * delivery workflow with one local activity (signal-with-start of `webhooks-<no>`): one marker
 * event in the payment's history per batch, recorded in the same workflow task, and no waiting on
 * the merchant's endpoint. Batches go one at a time, so they reach the delivery workflow in order.
 */
import { log, proxyLocalActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhook-activities';
import { merchantEventsBetween } from './merchant-events';
import type { MerchantEvent } from './messages';
import type { PaymentState } from './payment-state';

/** Retried until Temporal takes the signal: an event is never dropped. */
const { emitMerchantEvents } = proxyLocalActivities<WebhookActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

export interface MerchantEventOutbox {
  /** Events emitted so far (the next event is `seq + 1`), carried across continue-as-new. */
  readonly seq: number;
  /** After a committed step: queue and send what it emits. */
  add(before: PaymentState, after: PaymentState, now: string): void;
  /** Nothing queued or in flight: safe to complete or continue-as-new. */
  idle(): boolean;
}

export function merchantEventOutbox(startSeq = 0): MerchantEventOutbox {
  let seq = startSeq;
  let sending = false;
  const queue: MerchantEvent[] = [];

  async function send(): Promise<void> {
    sending = true;
    try {
      while (queue.length > 0) await emitMerchantEvents(queue.splice(0));
    } finally {
      sending = false;
    }
  }

  return {
    get seq() {
      return seq;
    },
    add(before, after, now) {
      if (before === after) return;
      const events = merchantEventsBetween(before, after, seq + 1, now);
      if (events.length === 0) return;
      seq += events.length;
      queue.push(...events);
      // Only a cancelled payment workflow ends the local activity's retries.
      if (!sending) void send().catch((error: unknown) => log.warn('merchant events not handed over', { error: String(error) }));
    },
    idle: () => queue.length === 0 && !sending,
  };
}
