import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { replayHistories } from '../../scripts/chaos/replay-all';
import { BUNDLE_PATH_ENV } from '../harness/env-names';
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
