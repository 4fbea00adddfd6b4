import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { createCodePayActivities } from '../../src/activities/codepay-activities';
import { warmUpWorkflows } from '../../src/worker';
import { replayHistories, warmUpWasDeleted } from '../../scripts/chaos/replay-all';
import { BUNDLE_PATH_ENV } from '../harness/env-names';
import { connectTestTemporal, createTestWorker, type TestTemporal } from '../harness/temporal';
import { FakeCodePay } from '../workflows/fake-codepay';
import { historyFromStoredJson, type StoredHistory } from '../workflows/stored-history';

/**
 * The chaos run's replay step (scripts/chaos/replay-all.ts) over recorded histories: those replay,
 * and one whose recorded commands no longer match the code is reported by its workflow id.
 */
const dir = path.join(__dirname, '..', 'workflows', 'histories');
const stored = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as StoredHistory[]);

type Event = { eventType: string; activityTaskScheduledEventAttributes?: { activityType: { name: string } } };
const events = (s: StoredHistory) => (s.history as { events: Event[] }).events;

/** The same history with its first scheduled activity's type renamed: what code that changed its commands would meet. */
function tampered(s: StoredHistory): StoredHistory {
  const copy = JSON.parse(JSON.stringify(s)) as StoredHistory;
  const scheduled = events(copy).find((e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')!;
  scheduled.activityTaskScheduledEventAttributes!.activityType.name = 'anActivityThisCodeNeverSchedules';
  return { ...copy, workflowId: `${s.workflowId}-tampered` };
}

const asInput = (s: StoredHistory, i: number) => ({ ...historyFromStoredJson(s), runId: `run-${i}` });

describe('chaos replay step', () => {
  it('replays recorded histories and names the one that no longer replays', async () => {
    const good = stored.filter((s) => events(s).some((e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')).slice(0, 3);
    expect(good.length).toBe(3);
    const bad = tampered(good[1]!);
    let ticks = 0;
    const result = await replayHistories(process.env[BUNDLE_PATH_ENV]!, [...good, bad].map(asInput), () => (ticks += 1));
    expect(result.replayed).toBe(3);
    expect(ticks).toBe(4);
    expect(result.failures).toEqual([
      expect.objectContaining({ merchantOrderNo: bad.workflowId, rule: 'history replays', actual: expect.stringMatching(/^run run-3: .*[Nn]ondeterminism/) }),
    ]);
  });
});

/**
 * The chaos run's replay step lists every workflow, then fetches each history: a warm-up its
 * worker deleted in between (CI's cluster slice, 2026-12-06: "Requested workflow history not
 * found") is nothing to replay, while any other history that does not fetch is a failure.
 */
describe('replay everything: a warm-up deleted after the list', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  it('counts as deleted only once the execution is gone, and only for warm-ups', async () => {
    const worker = await createTestWorker(temporal, { activities: createCodePayActivities(new FakeCodePay()) });
    const client = new Client({ connection: temporal.nativeConnection });
    const [kept, deleted] = await worker.runUntil(async () => {
      const handle = await client.workflow.start('workerWarmUpWorkflow', { taskQueue: worker.options.taskQueue, workflowId: `warm-up-kept-${Date.now()}` });
      await handle.result();
      const warmUp = await warmUpWorkflows(client, worker.options.taskQueue);
      expect(warmUp.deleted).toBe(true);
      return [{ workflowId: handle.workflowId, runId: handle.firstExecutionRunId }, warmUp];
    });

    expect(await warmUpWasDeleted(client, { workflowId: deleted.workflowId, runId: deleted.runId, type: 'workerWarmUpWorkflow' }, 90_000)).toBe(true);
    expect(await warmUpWasDeleted(client, { ...kept, type: 'workerWarmUpWorkflow' }, 1_000)).toBe(false);
    // The same gone execution under another type is never excused.
    expect(await warmUpWasDeleted(client, { workflowId: deleted.workflowId, runId: deleted.runId, type: 'paymentWorkflow' }, 1_000)).toBe(false);
  }, 150_000);
});
