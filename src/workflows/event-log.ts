import type { PaymentEvent } from './messages';

/**
 * The payment's time-ordered event log, bounded so that workflow state (and a continue-as-new
 * input) stays small however many duplicate notifications or polls arrive: the newest
 * `EVENT_LOG_LIMIT` events are kept and the older ones are only counted.
 */
export const EVENT_LOG_LIMIT = 100;

export interface EventLog {
  recent: PaymentEvent[];
  omitted: number;
}

export const emptyEventLog = (): EventLog => ({ recent: [], omitted: 0 });

export function appendEvents(log: EventLog, events: readonly PaymentEvent[], limit = EVENT_LOG_LIMIT): EventLog {
  if (events.length === 0) return log;
  const all = [...log.recent, ...events];
  const overflow = Math.max(0, all.length - limit);
  return { recent: all.slice(overflow), omitted: log.omitted + overflow };
}

/**
 * Names the trace `events` came from on each of them, in the log too (they are the entries
 * `appendEvents` added, compared by identity); nothing changes without a trace id.
 */
export function traceEvents(log: EventLog, events: readonly PaymentEvent[], traceId: string | undefined): { log: EventLog; events: PaymentEvent[] } {
  if (!traceId || events.length === 0) return { log, events: [...events] };
  const traced = new Map(events.map((event) => [event, { ...event, traceId }]));
  return { log: { ...log, recent: log.recent.map((event) => traced.get(event) ?? event) }, events: events.map((event) => traced.get(event)!) };
}
