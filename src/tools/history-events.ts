/**
 * Reading a workflow history's events for people and tests: which local activity a marker
 * records, and a one-line label per event (scripts/bench/history-shape.ts).
 */
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';
const PATCH_MARKER = 'core_patch';
const PATCH_MARKER_DATA = 'patch-data';

/** The activity type a local-activity marker records (its `data` details are the SDK core's JSON), else undefined. */
export function localActivityType(event: HistoryEvent): string | undefined {
  const marker = event.markerRecordedEventAttributes;
  return marker?.markerName === LOCAL_ACTIVITY_MARKER ? markerField(marker.details?.data, 'activity_type') : undefined;
}

/** A string field of the JSON payload the SDK core writes into a marker's details. */
function markerField(details: temporal.api.common.v1.IPayloads | null | undefined, field: string): string | undefined {
  const data = details?.payloads?.[0]?.data;
  if (!data) return undefined;
  const parsed: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || !(field in parsed)) return undefined;
  const value: unknown = (parsed as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

/** The patch id a patch marker records (`patched('<id>')`), else undefined. */
export function patchId(event: HistoryEvent): string | undefined {
  const marker = event.markerRecordedEventAttributes;
  return marker?.markerName === PATCH_MARKER ? markerField(marker.details?.[PATCH_MARKER_DATA], 'id') : undefined;
}

/** `MARKER_RECORDED core_local_activity queryOrder`, `TIMER_STARTED 5s`, `UPSERT_WORKFLOW_SEARCH_ATTRIBUTES PaymentStatus`… */
export function eventLabel(event: HistoryEvent): string {
  const type = EventType[event.eventType ?? 0]?.replace(/^EVENT_TYPE_/, '') ?? String(event.eventType);
  const details = [
    event.markerRecordedEventAttributes?.markerName,
    localActivityType(event),
    patchId(event),
    event.activityTaskScheduledEventAttributes?.activityType?.name,
    Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).join(','),
    event.timerStartedEventAttributes?.startToFireTimeout ? `${String(event.timerStartedEventAttributes.startToFireTimeout.seconds ?? 0)}s` : undefined,
    event.workflowExecutionSignaledEventAttributes?.signalName,
  ].filter((d) => d);
  return [type, ...details].join(' ');
}
