import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal as proto } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { BUNDLE_PATH_ENV } from '../harness/env-names';
import { historyFromStoredJson, type StoredHistory } from './stored-history';

/**
 * Replays the recorded histories of every main path (scripts/record-histories.ts) against the
 * current workflow code: a change that would break running payments' determinism fails here.
 */
const dir = path.join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const { EventType } = proto.api.enums.v1;

/** The events that woke the task which ended the run (completed it or continued it as new). */
function eventsWakingTheLastTask(history: proto.api.history.v1.IHistory): number[] {
  const events = history.events ?? [];
  const types = events.map((e) => e.eventType ?? 0);
  const lastCompleted = types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  const scheduledId = Number(events[lastCompleted]!.workflowTaskCompletedEventAttributes!.scheduledEventId);
  const scheduled = events.findIndex((e) => Number(e.eventId) === scheduledId);
  const previousCompleted = types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, scheduled);
  return types.slice(previousCompleted + 1, scheduled);
}

describe('replay of recorded payment histories', () => {
  it('has one recorded history per main path', () => {
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(
      [
        'paidByNotification', 'paidByPolling', 'paidClaimRefuted', 'expired', 'expiryCloseThroughOutage', 'paidDuringExpiryClose',
        'cancelUnpaid', 'cancelPaid', 'cancelRacingLateNotification', 'creationRejected',
        'refundedInTwoParts', 'refundDeclined', 'refundAmountDisagrees', 'refundClaimsRefuted', 'refundNoTaken',
        'reviewAccepted', 'merchantWebhookDelivery',
      ].sort(),
    );
  });

  // A query can split the task of the last merchant-event hand-over, and the SDK then applies its
  // local-activity result in a later task than a replay does: an end that reacted to that result
  // did not replay (chaos seed 11, docs/design.md §2.9).
  it.each(files)('%s: each payment run ends in a task that a timer woke, not the hand-over’s result', (file) => {
    const stored = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as StoredHistory[];
    const ends = [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW];
    const ended = stored
      .map(historyFromStoredJson)
      .filter(({ history }) => history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name === 'paymentWorkflow')
      .filter(({ history }) => ends.includes(history.events!.at(-1)!.eventType!));
    // refundAmountDisagrees records a payment left in review: nothing ended there.
    if (file !== 'refundAmountDisagrees.json') expect(ended.length).toBeGreaterThan(0);
    for (const { history } of ended) expect(eventsWakingTheLastTask(history)).toContain(EventType.EVENT_TYPE_TIMER_FIRED);
  });

  // An update's acceptance is a command the SDK can replay out of place after a timed-out task
  // (CI's cluster slice, docs/design.md §2.9): the payment takes commands as signals.
  it.each(files)('%s: no workflow in it took an update', (file) => {
    const stored = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as StoredHistory[];
    const updates = stored.flatMap(({ workflowId, history }) =>
      historyFromStoredJson({ workflowId, history }).history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateAdmittedEventAttributes),
    );
    expect(updates).toEqual([]);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const stored = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as StoredHistory[];
    const histories = stored.map(historyFromStoredJson);
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: process.env[BUNDLE_PATH_ENV]! } }, histories)) {
      expect(result.error).toBeUndefined();
      replayed += 1;
    }
    expect(replayed).toBe(stored.length);
  });
});
