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
