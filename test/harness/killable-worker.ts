/**
 * A workflow worker in a process of its own, for tests that kill it (SIGKILL: no goodbye to the
 * server, whose sticky queue for it then times out). Args: address, task queue, bundle path. Prints
 * "ready" once it polls.
 */
import { NativeConnection, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  const [address, taskQueue, codePath] = process.argv.slice(2);
  if (!address || !taskQueue || !codePath) throw new Error('usage: killable-worker <address> <taskQueue> <bundlePath>');
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, taskQueue, workflowBundle: { codePath }, stickyQueueScheduleToStartTimeout: '1s' });
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
}

void main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
