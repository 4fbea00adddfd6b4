/**
 * One payment's outgoing webhook deliveries as plain data and pure steps (docs/webhooks.md): events
 * queue in sequence order, one is in flight at a time (in order per payment), a failed attempt is
 * retried on the configured schedule and after the last one the event is `failed`, and the next
 * event goes. An id handed over again with other content (a version from a lost workflow task, or
 * the recorded one after it) is kept beside the first: the attempt sends the one the payment
 * recorded. The delivery workflow only feeds attempts in; time is passed in (ISO-8601).
 */
import type { MerchantEvent, WebhookDeliveryView } from './messages';
import { CLOSED_STATUSES } from './payment-state';
import { sameEvent } from './merchant-events';

/** Settled records kept for the payment view; older ones are only counted. */
export const DELIVERY_RECORD_LIMIT = 50;

/**
 * One event and its delivery; the view names the event by its id, type and timestamp. `others`:
 * further versions handed over under the same id, until an attempt finds which one the payment
 * recorded.
 */
export type DeliveryRecord = { event: MerchantEvent; others?: MerchantEvent[] } & Omit<WebhookDeliveryView, 'eventId' | 'type' | 'timestamp'>;

export interface DeliveryState {
  records: DeliveryRecord[];
  omitted: number;
}

/** What one HTTP attempt gave: 2xx is `delivered`; anything else (or no version recorded yet) is retried. */
export interface AttemptResult {
  delivered: boolean;
  status?: number;
  error?: string;
  /** Which of `versions(record)` the payment recorded and the attempt sent. */
  sent?: number;
}

/** Every version of the record's event, the first handed over first. */
export const versions = (record: DeliveryRecord): MerchantEvent[] => [record.event, ...(record.others ?? [])];


/** The delivery workflow's input (`webhooks-<merchantOrderNo>`), defined here so the activity that starts it needs no workflow code. */
export interface MerchantWebhookInput {
  merchantOrderNo: string;
  /** Delays between attempts (MERCHANT_WEBHOOK_RETRY_SECONDS); after the last, the event is failed. */
  retryScheduleMs: number[];
  /** The payment's first events, handed over by the start (a later batch comes as a signal). */
  events?: MerchantEvent[];
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

/**
 * New events join in sequence order. An id already known with the same content (a retried
 * emission) changes nothing; with other content, before an attempt settled which version the
 * payment recorded, it joins that record's versions and is tried at once.
 */
export function enqueue(state: DeliveryState, events: readonly MerchantEvent[]): DeliveryState {
  let records = state.records;
  for (const event of events) {
    const known = records.find((r) => r.event.id === event.id);
    if (!known) {
      records = [...records, { event, status: 'pending', attempts: 0 }];
    } else if (known.status !== 'delivered' && !versions(known).some((v) => sameEvent(v, event))) {
      const another: DeliveryRecord = { event: known.event, others: [...(known.others ?? []), event], status: 'pending', attempts: 0, lastStatus: known.lastStatus, lastError: known.lastError, lastAttemptAt: known.lastAttemptAt };
      records = records.map((r) => (r === known ? another : r));
    }
  }
  if (records === state.records) return state;
  return bounded({ ...state, records: [...records].sort((a, b) => a.event.seq - b.event.seq) });
}

/** Sends the event again from a fresh schedule, right away. */
export function redeliver(state: DeliveryState, event: MerchantEvent): DeliveryState {
  const known = state.records.some((r) => r.event.id === event.id);
  if (!known) return enqueue(state, [event]);
  const records = state.records.map((r): DeliveryRecord => (r.event.id === event.id ? { event: r.event, ...(r.others ? { others: r.others } : {}), status: 'pending', attempts: 0, lastStatus: r.lastStatus, lastError: r.lastError, lastAttemptAt: r.lastAttemptAt } : r));
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
    // Once an attempt found the recorded version, the others are gone for good.
    const kept = result.sent === undefined ? { event: r.event, ...(r.others ? { others: r.others } : {}) } : { event: versions(r)[result.sent] ?? r.event };
    if (result.delivered) return { ...kept, status: 'delivered', ...answered, deliveredAt: now };
    const delay = retryScheduleMs[attempts - 1];
    if (delay === undefined) return { ...kept, status: 'failed', ...answered };
    return { ...kept, status: 'failing', ...answered, nextAttemptAt: new Date(Date.parse(now) + delay).toISOString() };
  });
  return bounded({ ...state, records });
}

/** Nothing left to send and the payment is final (by a version it recorded): no event can follow. */
export function isFinished(state: DeliveryState): boolean {
  const last = state.records.at(-1);
  return last !== undefined && last.others === undefined && nextDelivery(state) === undefined && CLOSED_STATUSES.has(last.event.payment.status);
}

export function deliveryViews(state: DeliveryState): WebhookDeliveryView[] {
  return state.records.map(({ event, others: _versions, ...delivery }) => ({ eventId: event.id, type: event.type, timestamp: event.timestamp, ...delivery }));
}
