import type { Worker } from '@temporalio/worker';
import { createCodePayActivities } from '../../src/activities/codepay-activities';
import { createTestWorker, type TestTemporal } from '../harness/temporal';
import { FakeCodePay } from './fake-codepay';
import type { ScenarioContext } from './scenarios';

/** A fresh fake gateway and a worker on a fresh task queue around `body`. */
export async function withFakeWorker<T>(temporal: TestTemporal, body: (ctx: ScenarioContext, worker: Worker) => Promise<T>, fake = new FakeCodePay()): Promise<T> {
  const worker = await createTestWorker(temporal, { activities: createCodePayActivities(fake) });
  return worker.runUntil(body({ client: temporal.client, taskQueue: worker.options.taskQueue, fake }, worker));
}
