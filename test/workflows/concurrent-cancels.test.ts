import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { cancelPayment } from '../../src/api/payment-command-channel';
import { BUNDLE_PATH_ENV } from '../harness/env-names';
import { connectTestTemporal, type TestTemporal } from '../harness/temporal';
import { waitFor } from '../harness/wait-for';
import { withFakeWorker } from './fake-worker';
import { paymentInput, startPayment } from './scenarios';
import { historyFromStoredJson, historyToStoredJson, type StoredHistory } from './stored-history';

const replay = async (stored: StoredHistory[]) => {
  const errors: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: process.env[BUNDLE_PATH_ENV]! } }, stored.map(historyFromStoredJson))) {
    if (result.error) errors.push(String(result.error));
  }
  return errors;
};

/**
 * The chaos run's evidence (issue 20, payment CH5309-000341): the cancels accepted in one workflow
 * task, each of which started its own close conversation with the code of the time (local cancels
 * and queries in flight together, their fall-overs to activity tasks recorded in completion order
 * across a timed-out task: the history no longer replayed).
 */
function cancelsAcceptedInOneTask(): number {
  const [stored] = JSON.parse(readFileSync(path.join(__dirname, 'evidence/payment-CH5309-000341.stored.json'), 'utf8')) as StoredHistory[];
  const events = (stored!.history as { events: Record<string, unknown>[] }).events;
  let most = 0;
  let run = 0;
  for (const event of events) {
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes as { acceptedRequest?: { input?: { name?: string } } } | undefined;
    run = accepted?.acceptedRequest?.input?.name === 'cancelPayment' ? run + 1 : 0;
    most = Math.max(most, run);
  }
  return most;
}

describe('issue 20 defect 1: identical cancels at once', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  it("the evidence's cancels, delivered in one workflow task, share one close conversation and one answer, and the history replays", async () => {
    const cancels = cancelsAcceptedInOneTask();
    expect(cancels).toBe(4);
    await withFakeWorker(temporal, async (ctx) => {
      const input = paymentInput({ pollScheduleMs: [300] });
      const { handle } = await startPayment(ctx, input);
      // The first poll's query is slow: the cancels sent meanwhile queue up and reach the next task together.
      let releasePoll!: () => void;
      const pollHeld = new Promise<void>((resolve) => (releasePoll = resolve));
      ctx.fake.onQueryOrder = (n) => (n === 1 ? pollHeld : Promise.resolve());
      await waitFor(async () => ctx.fake.count('queryOrder'), (n) => n === 1);
      const answers = Promise.all(Array.from({ length: cancels }, () => cancelPayment(handle)));
      await new Promise((r) => setTimeout(r, 300));
      releasePoll();
      const views = await answers;
      expect(views.map((v) => v.status)).toEqual(Array.from({ length: cancels }, () => 'CANCELLED'));
      expect(new Set(views.map((v) => JSON.stringify(v))).size).toBe(1);
      await handle.result();
      expect(ctx.fake.count('cancelOrder')).toBe(1);
      const history = await handle.fetchHistory();
      const commands = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'paymentCommand').length;
      expect(commands).toBe(cancels);
      expect(await replay([{ workflowId: handle.workflowId, history: historyToStoredJson(history) }])).toEqual([]);
    });
  });
});
