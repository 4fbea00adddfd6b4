/**
 * One payment's outgoing webhook deliveries as plain data and pure steps (docs/webhooks.md): events
 * queue in sequence order, one is in flight at a time (in order per payment), a failed attempt is
 * retried on the configured schedule and after the last one the event is `failed`, and the next
 * event goes. The delivery workflow only feeds attempts in; time is passed in (ISO-8601).
 */
import type { MerchantEvent, WebhookDeliveryView } from './messages';
import { CLOSED_STATUSES } from './payment-state';

/** Settled records kept for the payment view; older ones are only counted. */
export const DELIVERY_RECORD_LIMIT = 50;

/** One event and its delivery; the view names the event by its id, type and timestamp. */
export type DeliveryRecord = { event: MerchantEvent } & Omit<WebhookDeliveryView, 'eventId' | 'type' | 'timestamp'>;

export interface DeliveryState {
  records: DeliveryRecord[];
  omitted: number;
}

/** What one HTTP attempt gave: 2xx is `delivered`; anything else is retried. */
export interface AttemptResult {
  delivered: boolean;
  status?: number;
  error?: string;
}

/** The delivery workflow's input (`webhooks-<merchantOrderNo>`), defined here so the activity that starts it needs no workflow code. */
export interface MerchantWebhookInput {
  merchantOrderNo: string;
  /** Delays between attempts (MERCHANT_WEBHOOK_RETRY_SECONDS); after the last, the event is failed. */
  retryScheduleMs: number[];
  carried?: DeliveryState;
  /** Lower than the default only in tests. */
  continueAsNewAfterEvents?: number;
}

export const emptyDeliveryState = (): DeliveryState => ({ records: [], omitted: 0 });

const isSettled = (r: DeliveryRecord) => r.status === 'delivered' || r.status === 'failed';

function bounded(state: DeliveryState): DeliveryState {
  const excess = state.records.length - DELIVERY_RECORD_LIMIT;
  if (excess <= 0) return state;
  const dropped = new Set(state.records.filter(isSettled).slice(0, excess));
  return { records: state.records.filter((r) => !dropped.has(r)), omitted: state.omitted + dropped.size };
}

/** New events join in sequence order; an id already known (a retried emission) changes nothing. */
export function enqueue(state: DeliveryState, events: readonly MerchantEvent[]): DeliveryState {
  const fresh = events.filter((e) => !state.records.some((r) => r.event.id === e.id));
  if (fresh.length === 0) return state;
  const records = [...state.records, ...fresh.map((event): DeliveryRecord => ({ event, status: 'pending', attempts: 0 }))].sort((a, b) => a.event.seq - b.event.seq);
  return bounded({ ...state, records });
}

/** Sends the event again from a fresh schedule, right away. */
export function redeliver(state: DeliveryState, event: MerchantEvent): DeliveryState {
  const known = state.records.some((r) => r.event.id === event.id);
  if (!known) return enqueue(state, [event]);
  const records = state.records.map((r): DeliveryRecord => (r.event.id === event.id ? { event: r.event, status: 'pending', attempts: 0, lastStatus: r.lastStatus, lastError: r.lastError, lastAttemptAt: r.lastAttemptAt } : r));
  return { ...state, records };
}

/** The one record to work on: the earliest not yet delivered or failed. */
export function nextDelivery(state: DeliveryState): DeliveryRecord | undefined {
  return state.records.find((r) => !isSettled(r));
}

/** Milliseconds until `record` may be attempted (0: now). */
export function waitBeforeAttempt(record: DeliveryRecord, now: string): number {
  return record.nextAttemptAt ? Math.max(0, Date.parse(record.nextAttemptAt) - Date.parse(now)) : 0;
}

export function recordAttempt(state: DeliveryState, eventId: string, result: AttemptResult, now: string, retryScheduleMs: readonly number[]): DeliveryState {
  const records = state.records.map((r): DeliveryRecord => {
    if (r.event.id !== eventId) return r;
    const attempts = r.attempts + 1;
    const answered = { attempts, lastStatus: result.status, lastError: result.error, lastAttemptAt: now };
    if (result.delivered) return { event: r.event, status: 'delivered', ...answered, deliveredAt: now };
    const delay = retryScheduleMs[attempts - 1];
    if (delay === undefined) return { event: r.event, status: 'failed', ...answered };
    return { event: r.event, status: 'failing', ...answered, nextAttemptAt: new Date(Date.parse(now) + delay).toISOString() };
  });
  return bounded({ ...state, records });
}

/** Nothing left to send and the payment is final: no event can follow. */
export function isFinished(state: DeliveryState): boolean {
  const last = state.records.at(-1);
  return last !== undefined && nextDelivery(state) === undefined && CLOSED_STATUSES.has(last.event.payment.status);
}

export function deliveryViews(state: DeliveryState): WebhookDeliveryView[] {
  return state.records.map(({ event, ...delivery }) => ({ eventId: event.id, type: event.type, timestamp: event.timestamp, ...delivery }));
}
