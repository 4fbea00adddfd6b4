import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { CompleteAsyncError, Context } from '@temporalio/activity';
import { temporal as temporalProto } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { orderingCommandSignal, orderingNudgeSignal, type OrderingActivities } from '../harness/fixture-workflow';
import { BUNDLE_PATH_ENV } from '../harness/env-names';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../harness/temporal';
import { waitFor } from '../harness/wait-for';

const LATER_COMMANDS = 3;

/** A workflow worker in its own process, polling once it says "ready". */
async function startKillableWorker(address: string, taskQueue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../harness/killable-worker.ts'), address, taskQueue, process.env[BUNDLE_PATH_ENV]!], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`killable worker exited with ${code}`)));
  });
  return child;
}

/**
 * What CI's cluster slice met with commands sent as updates (docs/design.md §2.9, payment
 * CH13-000003), made on purpose with commands sent as signals, as the payment now takes them: a
 * command waits on an activity; a task completes without a command; the worker holding the run's
 * sticky queue is killed (SIGKILL: the server is not told); the activity's result arrives and its
 * task times out on the dead sticky queue (schedule-to-start); more commands arrive; a new worker
 * takes the result and the commands in one task.
 */
describe('commands around a timed-out workflow task', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  it('sent as signals, they are all taken and the history replays', async () => {
    const taskQueue = uniqueTaskQueue('ordering');
    const activityQueue = `${taskQueue}-activities`;
    let heldToken: Uint8Array | undefined;
    const activities: OrderingActivities = {
      async hold() {
        heldToken = Context.current().info.taskToken;
        throw new CompleteAsyncError();
      },
      async greet(name) {
        return `hello ${name}`;
      },
    };
    const bundle = { codePath: process.env[BUNDLE_PATH_ENV]! };
    const activityWorker = await Worker.create({ connection: temporal.nativeConnection, taskQueue: activityQueue, activities });
    await activityWorker.runUntil(async () => {
      const killable = await startKillableWorker(temporal.address, taskQueue);
      const handle = await temporal.client.workflow.start('commandOrderingFixture', { workflowId: `ordering-${taskQueue}`, taskQueue, args: [activityQueue, LATER_COMMANDS + 1] });
      await waitFor(async () => heldToken, (token) => token !== undefined);
      const completedTasks = async () => (await handle.fetchHistory()).events?.filter((e) => e.workflowTaskCompletedEventAttributes).length ?? 0;
      await handle.signal(orderingCommandSignal);
      await waitFor(completedTasks, (n) => n >= 2);
      await handle.signal(orderingNudgeSignal);
      await waitFor(completedTasks, (n) => n >= 3);
      killable.kill('SIGKILL');
      await new Promise((resolve) => killable.once('exit', resolve));
      await temporal.client.activity.complete(heldToken!, undefined);
      await Promise.all(Array.from({ length: LATER_COMMANDS }, () => handle.signal(orderingCommandSignal)));
      // Past the dead sticky queue's schedule-to-start timeout (1 s, killable-worker.ts).
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const worker = await Worker.create({ connection: temporal.nativeConnection, taskQueue, workflowBundle: bundle, activities });
      await worker.runUntil(async () => expect(await handle.result()).toBe(LATER_COMMANDS + 1));
      const history = await handle.fetchHistory();
      const timedOut = history.events?.find((e) => e.workflowTaskTimedOutEventAttributes);
      expect(timedOut?.workflowTaskTimedOutEventAttributes?.timeoutType).toBe(temporalProto.api.enums.v1.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START);
      await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId)).resolves.toBeUndefined();
    });
  });
});
