import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { BUNDLE_PATH_ENV } from '../harness/env-names';
import { historyFromStoredJson, type StoredHistory } from './stored-history';

/**
 * An open SDK defect, kept reproduced (docs/design.md §2.9): after a workflow task timed out (its
 * worker killed), a new worker took an activity's result and updates in one task, ran the result's
 * commands before accepting the updates, and the SDK (1.24) replays the updates first. Both
 * histories came from CI's cluster slice (seed 13). When an SDK upgrade fixes it, these fail: then
 * drop them, and the "open SDK defect" paragraph with them.
 */
describe('the SDK’s ordering of updates after a timed-out task', () => {
  it.each([
    // Completed: the confirming query scheduled, then three cancels accepted (a start-to-close timeout before).
    ['payment-CH13-000024', 'Update machine does not handle this event: HistoryEvent(id: 55, ActivityTaskScheduled)'],
    // Left running, every task failing: the query's result committed and the close scheduled, then three cancels accepted (a sticky schedule-to-start timeout before).
    ['payment-CH13-000003', 'Update machine does not handle this event: HistoryEvent(id: 40, UpsertWorkflowSearchAttributes)'],
  ])('%s still fails to replay at the updates accepted after the timed-out task', async (workflowId, error) => {
    const [stored] = JSON.parse(readFileSync(path.join(__dirname, 'evidence', `${workflowId}.stored.json`), 'utf8')) as StoredHistory[];
    const { history } = historyFromStoredJson(stored!);
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: process.env[BUNDLE_PATH_ENV]! } }, history, workflowId)).rejects.toThrow(error);
  });
});
