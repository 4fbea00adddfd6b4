import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { BUNDLE_PATH_ENV } from '../harness/env-names';
import { historyFromStoredJson, type StoredHistory } from './stored-history';

/**
 * Replays the recorded histories of every main path (scripts/record-histories.ts) against the
 * current workflow code: a change that would break running payments' determinism fails here.
 */
const dir = path.join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

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
