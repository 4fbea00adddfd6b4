import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { cancelPaymentUpdate } from '../../src/workflows/messages';
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

describe('issue 20 defect 1: identical cancels at once', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  it('the evidence history (four cancels accepted in one task, chaos seed CH5309) replays', async () => {
    const stored = JSON.parse(readFileSync(path.join(__dirname, 'evidence/payment-CH5309-000341.stored.json'), 'utf8')) as StoredHistory[];
    expect(await replay(stored)).toEqual([]);
  });

  it('four cancels delivered in one workflow task share one close conversation and one answer, and the history replays', async () => {
    await withFakeWorker(temporal, async (ctx) => {
      const input = paymentInput({ pollScheduleMs: [300] });
      const { handle } = await startPayment(ctx, input);
      // The first poll's query is slow: the cancels sent meanwhile queue up and reach the next task together.
      let releasePoll!: () => void;
      const pollHeld = new Promise<void>((resolve) => (releasePoll = resolve));
      ctx.fake.onQueryOrder = (n) => (n === 1 ? pollHeld : Promise.resolve());
      await waitFor(async () => ctx.fake.count('queryOrder'), (n) => n === 1);
      const answers = Promise.all([1, 2, 3, 4].map(() => handle.executeUpdate(cancelPaymentUpdate)));
      await new Promise((r) => setTimeout(r, 300));
      releasePoll();
      const views = await answers;
      expect(views.map((v) => v.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
      expect(new Set(views.map((v) => JSON.stringify(v))).size).toBe(1);
      await handle.result();
      expect(ctx.fake.count('cancelOrder')).toBe(1);
      const history = await handle.fetchHistory();
      const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
      expect(accepted).toBe(5);
      expect(await replay([{ workflowId: handle.workflowId, history: historyToStoredJson(history) }])).toEqual([]);
    });
  });
});
