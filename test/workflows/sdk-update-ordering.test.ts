import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { BUNDLE_PATH_ENV } from '../harness/env-names';
import { historyFromStoredJson, type StoredHistory } from './stored-history';

/**
 * An open SDK defect, kept reproduced (docs/design.md §2.9): CI's cluster slice (seed 13) left a
 * payment whose task after a timed-out one scheduled the confirming query before accepting three
 * cancels, and the SDK (1.24) replays the cancels first. When an SDK upgrade fixes it, this fails:
 * then drop it, and the "open SDK defect" paragraph with it.
 */
it('the stored seed-13 history still fails to replay at the cancels accepted after the timed-out task', async () => {
  const [stored] = JSON.parse(readFileSync(path.join(__dirname, 'evidence', 'payment-CH13-000024.stored.json'), 'utf8')) as StoredHistory[];
  const { history, workflowId } = historyFromStoredJson(stored!);
  await expect(Worker.runReplayHistory({ workflowBundle: { codePath: process.env[BUNDLE_PATH_ENV]! } }, history, workflowId)).rejects.toThrow(
    'Update machine does not handle this event: HistoryEvent(id: 55, ActivityTaskScheduled)',
  );
});
